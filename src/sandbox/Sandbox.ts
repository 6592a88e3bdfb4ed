/**
 * The sandbox: a local platform on 127.0.0.1 that demos and end-to-end tests run against — the
 * control-plane API and a real OpenID provider, each on its own port. Brand-neutral: the client
 * id, the title on the provider's pages, the fixture keys' prefix, the ports and the API's shape
 * are options (the reference CLI's `sandbox` command passes latchkey's). Never imported by a CLI's
 * runtime path, and `oidc-provider` is loaded only when a sandbox starts.
 *
 * @example
 * const sandbox = yield* Sandbox.make({ port: 0, clientId: "acme-cli", title: "Acme", keyPrefix: "ak_", apiShape: "flat" })
 * // sandbox.apiUrl: "http://127.0.0.1:40123"; its fixture keys: "ak_sandbox_alice_acme_4f1c9a7e2b", …
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { isClean } from "../internal/text.js"
import { type ApiShape, API_SHAPES, makeHandler, type RequestLog } from "./ControlPlane.js"
import { builtIn, type Fixtures, isKeyPrefix, KEY_PREFIX_RULE } from "./Fixtures.js"
import * as Issuer from "./Issuer.js"

export type { ApiShape } from "./ControlPlane.js"
export { API_SHAPES } from "./ControlPlane.js"

export type SandboxOptions = {
  /** Port of the control-plane API; 0 picks a free port. */
  readonly port: number
  /** Port of the OpenID provider; 0 picks a free port (the default). */
  readonly issuerPort?: number
  /** The OpenID provider's one public device client, announced in `/v1/cli/config`. */
  readonly clientId: string
  /** The product name the provider's pages show ("Sign in to <title>"). */
  readonly title: string
  /** How the control plane wraps its answers (default `contract`; see ControlPlane.ts). */
  readonly apiShape?: ApiShape
  /** Device-flow polling interval the provider demands, in seconds (default 5). */
  readonly interval?: number
  /** Access-token lifetime in seconds (default 3600). */
  readonly accessTokenTtl?: number
  /** Demo mode: approve every device code as this fixture user after `approveAfter` seconds. */
  readonly approveAs?: string
  readonly approveAfter?: number
} & (
  /** Your own world… */
  | { readonly fixtures: Fixtures; readonly keyPrefix?: never }
  /** …or the built-in one, whose API keys start with `keyPrefix` (default none). */
  | { readonly fixtures?: undefined; readonly keyPrefix?: string }
)

/** What a client id may hold: it travels in form bodies and URLs. */
export const CLIENT_ID_RULE = "1 to 64 characters among letters, digits and . _ -"
const isClientId = (id: string) => /^[A-Za-z0-9._-]{1,64}$/.test(id)
export const TITLE_RULE = "1 to 80 printable characters"
const isTitle = (title: string) => title.trim().length > 0 && title.length <= 80 && isClean(title)

/** Options that would make a broken sandbox, each with the rule it breaks. */
export const check = (options: SandboxOptions): ReadonlyArray<string> => [
  ...(isClientId(options.clientId) ? [] : [`client id: ${CLIENT_ID_RULE}`]),
  ...(isTitle(options.title) ? [] : [`title: ${TITLE_RULE}`]),
  ...(options.keyPrefix === undefined || isKeyPrefix(options.keyPrefix) ? [] : [`key prefix: ${KEY_PREFIX_RULE}`]),
  ...(options.apiShape === undefined || API_SHAPES.includes(options.apiShape)
    ? []
    : [`API shape: one of ${API_SHAPES.join(", ")}`]),
  ...[["port", options.port], ["issuer port", options.issuerPort ?? 0]].flatMap(([name, port]) =>
    Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535 ? [] : [`${name}: 0 to 65535`]
  )
]

export interface Sandbox {
  readonly apiUrl: string
  readonly issuer: string
  readonly clientId: string
  readonly title: string
  readonly apiShape: ApiShape
  readonly fixtures: Fixtures
  /** Every control-plane request answered so far. */
  readonly requests: ReadonlyArray<RequestLog>
  readonly stats: Issuer.IssuerStats
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>

/** A server on 127.0.0.1 for the life of the scope; `handler` may be set after it listens. */
const listen = (port: number) =>
  Effect.gen(function*() {
    let handler: Handler = async (_req, res) => {
      res.writeHead(503)
      res.end()
    }
    const server = http.createServer((req, res) => {
      handler(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: "internal", message: String(e) }))
      })
    })
    const bound = yield* Effect.acquireRelease(
      Effect.async<number, Error>((resume) => {
        server.once("error", (e) => resume(Effect.fail(new Error(`cannot listen on 127.0.0.1:${port}: ${e.message}`))))
        server.listen(port, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return { port: bound, setHandler: (h: Handler) => void (handler = h) }
  })

const json = (res: http.ServerResponse, body: unknown) => {
  res.writeHead(200, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

/** Start the sandbox for the life of the scope. */
export const make = (options: SandboxOptions): Effect.Effect<Sandbox, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const invalid = check(options)
    if (invalid.length > 0) return yield* Effect.fail(new Error(`invalid sandbox options: ${invalid.join("; ")}`))
    const fixtures = options.fixtures ?? builtIn(options.keyPrefix ?? "")
    const api = yield* listen(options.port)
    const oidc = yield* listen(options.issuerPort ?? 0)
    const issuerUrl = `http://127.0.0.1:${oidc.port}`
    const loaded = yield* Effect.tryPromise({
      try: () => Issuer.load(),
      catch: (e) =>
        new Error(
          `the sandbox needs the oidc-provider package, which did not load (${
            e instanceof Error ? e.message.split("\n")[0] : String(e)
          })`
        )
    })
    const issuer = yield* Effect.try({
      try: () =>
        Issuer.make(loaded, {
          issuer: issuerUrl,
          clientId: options.clientId,
          title: options.title,
          fixtures,
          interval: options.interval ?? 5,
          accessTokenTtl: options.accessTokenTtl ?? 3600,
          approveAfter: options.approveAfter ?? 3,
          ...(options.approveAs === undefined ? {} : { approveAs: options.approveAs })
        }),
      catch: (e) => (e instanceof Error ? e : new Error(String(e)))
    })
    oidc.setHandler(issuer.handle)
    const controlPlane = makeHandler({
      fixtures,
      issuer: issuerUrl,
      clientId: options.clientId,
      apiShape: options.apiShape ?? "contract",
      verifyAccessToken: issuer.verifyAccessToken
    })
    api.setHandler(async (req, res) => {
      if (req.url === "/_sandbox/requests") return json(res, { requests: controlPlane.log })
      if (req.url === "/_sandbox/stats") return json(res, issuer.stats)
      if (!(await controlPlane.handle(req, res))) {
        res.writeHead(404, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: "not_found" }))
      }
    })
    return {
      apiUrl: `http://127.0.0.1:${api.port}`,
      issuer: issuerUrl,
      clientId: options.clientId,
      title: options.title,
      apiShape: options.apiShape ?? "contract",
      fixtures,
      get requests() {
        return controlPlane.log
      },
      stats: issuer.stats
    }
  })
