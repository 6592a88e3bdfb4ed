/**
 * `latchkey sandbox`: a local platform on 127.0.0.1 that demos and end-to-end tests run against —
 * the control-plane API and a real OpenID provider, each on its own port. Never imported by the
 * CLI's runtime path; the `sandbox` command loads it on demand.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { makeHandler, type RequestLog } from "./ControlPlane.js"
import { defaults, type Fixtures } from "./Fixtures.js"
import * as Issuer from "./Issuer.js"

export interface SandboxOptions {
  /** Port of the control-plane API; 0 picks a free port. */
  readonly port: number
  /** Port of the OpenID provider; 0 picks a free port (the default). */
  readonly issuerPort?: number
  readonly fixtures?: Fixtures
  /** Device-flow polling interval the provider demands, in seconds (default 5). */
  readonly interval?: number
  /** Access-token lifetime in seconds (default 3600). */
  readonly accessTokenTtl?: number
  /** Demo mode: approve every device code as this fixture user after `approveAfter` seconds. */
  readonly approveAs?: string
  readonly approveAfter?: number
}

export const CLIENT_ID = "latchkey-cli"

export interface Sandbox {
  readonly apiUrl: string
  readonly issuer: string
  readonly clientId: string
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
    const fixtures = options.fixtures ?? defaults
    const api = yield* listen(options.port)
    const oidc = yield* listen(options.issuerPort ?? 0)
    const issuerUrl = `http://127.0.0.1:${oidc.port}`
    const loaded = yield* Effect.tryPromise({
      try: () => Issuer.load(),
      catch: (e) => new Error(`cannot load oidc-provider: ${e instanceof Error ? e.message : String(e)}`)
    })
    const issuer = yield* Effect.try({
      try: () =>
        Issuer.make(loaded, {
          issuer: issuerUrl,
          clientId: CLIENT_ID,
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
      clientId: CLIENT_ID,
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
      clientId: CLIENT_ID,
      fixtures,
      get requests() {
        return controlPlane.log
      },
      stats: issuer.stats
    }
  })
