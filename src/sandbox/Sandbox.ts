/**
 * `latchkey sandbox`: a local platform on 127.0.0.1 that demos and end-to-end tests run against.
 * Never imported by the CLI's runtime path; the `sandbox` command loads it on demand.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { makeHandler, type RequestLog } from "./ControlPlane.js"
import { defaults, type Fixtures } from "./Fixtures.js"

export interface SandboxOptions {
  /** 0 picks a free port. */
  readonly port: number
  readonly fixtures?: Fixtures
}

export interface Sandbox {
  readonly apiUrl: string
  readonly issuer: string | null
  readonly clientId: string | null
  readonly fixtures: Fixtures
  /** Every control-plane request answered so far. */
  readonly requests: ReadonlyArray<RequestLog>
}

/** Start the sandbox for the life of the scope. */
export const make = (options: SandboxOptions): Effect.Effect<Sandbox, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const fixtures = options.fixtures ?? defaults
    const controlPlane = makeHandler({ fixtures, issuer: null, clientId: null })
    const server = http.createServer((req, res) => {
      void (async () => {
        if (req.url === "/_sandbox/requests") {
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify({ requests: controlPlane.log }))
          return
        }
        if (!(await controlPlane.handle(req, res))) {
          res.writeHead(404, { "content-type": "application/json" })
          res.end(JSON.stringify({ error: "not_found" }))
        }
      })().catch((e) => {
        res.writeHead(500, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: "internal", message: String(e) }))
      })
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number, Error>((resume) => {
        server.once("error", (e) => resume(Effect.fail(new Error(`cannot listen on 127.0.0.1:${options.port}: ${e.message}`))))
        server.listen(options.port, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return {
      apiUrl: `http://127.0.0.1:${port}`,
      issuer: null,
      clientId: null,
      fixtures,
      get requests() {
        return controlPlane.log
      }
    }
  })
