/** What `latchkey sandbox` runs: start, announce one JSON line on stdout, serve until interrupted. */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Fixtures from "./Fixtures.js"
import * as Sandbox from "./Sandbox.js"

export interface RunOptions {
  readonly port: number
  readonly issuerPort: number
  readonly fixtures: Option.Option<string>
  readonly interval: number
  readonly accessTokenTtl: number
  readonly approveAs: Option.Option<string>
  readonly approveAfter: number
}

export const run = (options: RunOptions) =>
  Effect.scoped(
    Effect.gen(function*() {
      const fixtures = Option.isSome(options.fixtures) ? yield* Fixtures.load(options.fixtures.value) : Fixtures.defaults
      const sandbox = yield* Sandbox.make({
        port: options.port,
        issuerPort: options.issuerPort,
        fixtures,
        interval: options.interval,
        accessTokenTtl: options.accessTokenTtl,
        approveAfter: options.approveAfter,
        ...Option.match(options.approveAs, { onNone: () => ({}), onSome: (approveAs) => ({ approveAs }) })
      })
      yield* Console.log(JSON.stringify({ apiUrl: sandbox.apiUrl, issuer: sandbox.issuer, clientId: sandbox.clientId }))
      yield* Console.error(
        `sandbox: API ${sandbox.apiUrl}, OpenID provider ${sandbox.issuer}` +
          Option.match(options.approveAs, {
            onNone: () => "",
            onSome: (who) => `; approving device codes as ${who} after ${options.approveAfter}s`
          }) +
          " (Ctrl-C stops it)"
      )
      return yield* Effect.never
    })
  )
