/** `auth set-key -` and `auth token --api-key -`: the key from standard input, never from argv. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as TestLayers from "../support/TestLayers.js"
import { ALICE_ACME, BOB, LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

const setup = (options: TestLayers.Options = {}) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
    const t = yield* TestLayers.make({ ...options, env: { LATCHKEY_API_URL: sandbox.apiUrl, ...options.env } })
    const out = () => t.recorded.stdout.join("\n")
    const err = () => t.recorded.stderr.join("\n")
    return { t, out, err }
  })

describe("a key on standard input", () => {
  it.scoped("set-key -: the first non-empty line, trimmed, is the key", () =>
    Effect.gen(function*() {
      const { out, t } = yield* setup({ stdin: `\n   \n  ${ALICE_ACME}  \r\nsomething else\n` })
      assert.strictEqual(yield* t.cli("auth", "set-key", "-"), 0)
      assert.include(out(), "Logged in as alice@example.com (Acme Research) as profile alice-key-7e2b")
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "json"), 0)
      assert.strictEqual(JSON.parse(out()).maskedKey, "lk_****7e2b")
    }))

  it.scoped("token --api-key -: the same, with --project", () =>
    Effect.gen(function*() {
      const { out, t } = yield* setup({ stdin: `${BOB}\n` })
      assert.strictEqual(yield* t.cli("auth", "token", "--api-key", "-", "--project", "prj_initech_tps", "--profile", "ci"), 0)
      assert.include(out(), "bob@example.com")
      assert.include(out(), "as profile ci")
    }))

  it.scoped("an empty standard input: exit 2, one line and where the usage is, nothing stored", () =>
    Effect.gen(function*() {
      const { err, t } = yield* setup({ stdin: " \n\n" })
      assert.strictEqual(yield* t.cli("auth", "set-key", "-"), 2)
      assert.deepStrictEqual(t.recorded.stderr, [
        "latchkey: set-key - found no API key on standard input",
        "Run 'latchkey auth set-key --help' for usage."
      ])
      assert.strictEqual(yield* t.cli("auth", "token", "--api-key", "-", "--project", "x"), 2)
      assert.include(err(), "--api-key - found no API key on standard input")
      assert.deepStrictEqual(Object.keys((yield* t.config).profiles), [])
    }))

  it.scoped("a key with control characters is refused without being echoed", () =>
    Effect.gen(function*() {
      const { err, out, t } = yield* setup({ stdin: `${ALICE_ACME}\u0000x\n` })
      assert.strictEqual(yield* t.cli("auth", "set-key", "-"), 1)
      assert.include(err(), "contains control characters")
      assert.notInclude(err() + out(), ALICE_ACME)
    }))

  it.scoped("a terminal on standard input: a usage error when not interactive, a masked prompt when it is", () =>
    Effect.gen(function*() {
      const ci = yield* setup({ tty: true, env: { CI: "true" } })
      assert.strictEqual(yield* ci.t.cli("auth", "set-key", "-"), 2)
      assert.include(ci.err(), "reads the key from standard input, which is a terminal here; pipe the key in")
      assert.deepStrictEqual(yield* ci.t.asked, [])

      const person = yield* setup({ tty: true, prompts: [ALICE_ACME] })
      assert.strictEqual(yield* person.t.cli("auth", "set-key", "-"), 0)
      assert.deepStrictEqual(yield* person.t.asked, ["API key"])
      assert.include(person.out(), "as profile alice-key-7e2b")
    }))

  it.scoped("the argv form is kept", () =>
    Effect.gen(function*() {
      const { out, t } = yield* setup({ stdin: `${BOB}\n` })
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME), 0)
      assert.include(out(), "alice@example.com")
    }))
})
