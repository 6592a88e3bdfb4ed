/**
 * latchkey/testing: what latchkey's own tests run on, for an embedder's tests (as
 * `@effect/vitest` ships its helpers): every service in memory with scripted prompts and a
 * recording console (`TestLayers`), an HttpClient that answers expected requests and fails on
 * others (`HttpStub`), an in-memory platform and OpenID provider (`FakePlatform`), and a
 * TestClock driver (`Drive`). None of them imports a test runner.
 *
 * @example
 * ```ts
 * import { TestLayers } from "latchkey/testing"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const t = yield* TestLayers.make({ env: { LATCHKEY_API_KEY: "lk_…" } })
 *   const code = yield* t.cli("auth", "status", "--offline")
 *   console.log(code, t.recorded.stdout)
 * })
 * ```
 */
export * as Drive from "./Drive.js"
export * as FakePlatform from "./FakePlatform.js"
export * as HttpStub from "./HttpStub.js"
export * as TestConsole from "./TestConsole.js"
export * as TestLayers from "./TestLayers.js"
