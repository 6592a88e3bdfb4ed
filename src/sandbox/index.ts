/**
 * latchkey/sandbox: a local platform on 127.0.0.1 (the control-plane API with fixture users,
 * teams, projects and keys, and a real OpenID provider) for an embedder's tests and demos. The
 * provider (`oidc-provider`, an optional peer dependency) is loaded only when a sandbox starts.
 *
 * @example
 * ```ts
 * import { Sandbox } from "latchkey/sandbox"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const sandbox = yield* Sandbox.make({ port: 0 })
 *   console.log(sandbox.apiUrl, sandbox.issuer)
 * }))
 * ```
 */
export * as Fixtures from "./Fixtures.js"
export * as Sandbox from "./Sandbox.js"
