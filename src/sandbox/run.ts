/**
 * What a CLI's `sandbox` command runs (latchkey's does): start, announce one JSON line
 * `{apiUrl, issuer, clientId}` on stdout, serve until interrupted.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { sanitize } from "../internal/text.js"
import * as Fixtures from "./Fixtures.js"
import * as Sandbox from "./Sandbox.js"

export interface RunOptions {
  readonly port: number
  readonly issuerPort: number
  readonly clientId: string
  readonly title: string
  readonly apiShape: Sandbox.ApiShape
  /** For the built-in fixtures; a fixtures file's keys are its own. */
  readonly keyPrefix: Option.Option<string>
  /** A fixtures file; default the built-in fixtures. */
  readonly fixtures: Option.Option<string>
  readonly interval: number
  readonly accessTokenTtl: number
  readonly approveAs: Option.Option<string>
  readonly approveAfter: number
}

export const run = (options: RunOptions) =>
  Effect.scoped(
    Effect.gen(function*() {
      if (Option.isSome(options.fixtures) && Option.isSome(options.keyPrefix)) {
        return yield* Effect.fail(new Error("a key prefix is for the built-in fixtures: a fixtures file's keys are its own"))
      }
      const world = Option.isSome(options.fixtures)
        ? { fixtures: yield* Fixtures.load(options.fixtures.value) }
        : Option.match(options.keyPrefix, { onNone: () => ({}), onSome: (keyPrefix) => ({ keyPrefix }) })
      const sandbox = yield* Sandbox.make({
        port: options.port,
        issuerPort: options.issuerPort,
        clientId: options.clientId,
        title: options.title,
        apiShape: options.apiShape,
        ...world,
        interval: options.interval,
        accessTokenTtl: options.accessTokenTtl,
        approveAfter: options.approveAfter,
        ...Option.match(options.approveAs, { onNone: () => ({}), onSome: (approveAs) => ({ approveAs }) })
      })
      yield* Console.log(JSON.stringify({ apiUrl: sandbox.apiUrl, issuer: sandbox.issuer, clientId: sandbox.clientId }))
      yield* Console.error(
        `sandbox: API ${sandbox.apiUrl}${options.apiShape === "contract" ? "" : ` (${options.apiShape} shape)`}, OpenID provider ${sandbox.issuer}` +
          Option.match(options.approveAs, {
            onNone: () => "",
            onSome: (who) => `; approving device codes as ${sanitize(who)} after ${options.approveAfter}s`
          }) +
          " (Ctrl-C stops it)"
      )
      return yield* Effect.never
    })
  )
