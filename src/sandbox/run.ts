/** What `latchkey sandbox` runs: start, announce one JSON line on stdout, serve until interrupted. */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Fixtures from "./Fixtures.js"
import * as Sandbox from "./Sandbox.js"

export const run = (options: { readonly port: number; readonly fixtures: Option.Option<string> }) =>
  Effect.scoped(
    Effect.gen(function*() {
      const fixtures = Option.isSome(options.fixtures) ? yield* Fixtures.load(options.fixtures.value) : Fixtures.defaults
      const sandbox = yield* Sandbox.make({ port: options.port, fixtures })
      yield* Console.log(JSON.stringify({ apiUrl: sandbox.apiUrl, issuer: sandbox.issuer, clientId: sandbox.clientId }))
      yield* Console.error(`sandbox listening on ${sandbox.apiUrl} (Ctrl-C stops it)`)
      return yield* Effect.never
    })
  )
