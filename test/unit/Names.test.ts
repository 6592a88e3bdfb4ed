/** The one rule for profile and environment names, and own-key lookups of existing ones. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Names from "../../src/Names.js"
import { isClean } from "../../src/internal/text.js"

const refused = [
  ["empty", ""],
  ["5,000 characters", "a".repeat(5000)],
  ["129 characters", "a".repeat(129)],
  ["a path", "../../x"],
  ["a slash", "a/b"],
  ["an escape sequence", "a\x1b]0;pwned\x07"],
  ["a CSI", "a\x1b[2J"],
  ["a newline", "a\nb"],
  ["a NUL", "a\x00b"],
  ["a C1 control", "a\u009bb"],
  ["a bidi override", "a\u202eb"],
  ["white space", "my key"],
  ["__proto__", "__proto__"],
  ["a leading dot", ".hidden"],
  ["a leading dash (a flag)", "-rf"],
  ["non-ASCII letters", "élise"]
] as const

const accepted = ["alice@example.com", "alice+ci@example.co.uk", "alice-key-7e2b", "prod", "a", "A.b_c-d", "toString", "constructor", "a".repeat(128)]

describe("Names", () => {
  it("refuses what is not a name", () => {
    for (const [what, name] of refused) assert.isFalse(Names.isValid(name), what)
  })

  it("accepts emails as login derives them, and names that only look like Object.prototype's", () => {
    for (const name of accepted) assert.isTrue(Names.isValid(name), name)
  })

  it.effect("check fails with one clean line that states the rule, quoting at most 40 characters", () =>
    Effect.gen(function*() {
      for (const [what, name] of refused) {
        const error = yield* Effect.flip(Names.check("profile", name))
        assert.strictEqual(error._tag, "UsageError", what)
        assert.isTrue(isClean(error.message), `${what}: ${JSON.stringify(error.message)}`)
        assert.notInclude(error.message, "\n", what)
        assert.include(error.message, `profile names are ${Names.RULE}`, what)
        assert.isBelow(error.message.length, 300, what)
      }
      assert.strictEqual(yield* Names.check("environment", "prod"), "prod")
    }))

  it("names the variable a bad name came from", () => {
    const result = Names.validate("profile", "../x", "LATCHKEY_PROFILE")
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) assert.include(result.left.message, `invalid profile name "../x" in LATCHKEY_PROFILE`)
  })

  it("an entry stored under exactly that name is found even if it predates the rule; Object.prototype's names are not entries", () => {
    const stored: Record<string, unknown> = { "my old key": {} }
    assert.deepStrictEqual(Names.validateExisting("profile", "my old key", stored), Either.right("my old key"))
    assert.isTrue(Either.isLeft(Names.validateExisting("profile", "my other key", stored)))
    assert.isTrue(Either.isLeft(Names.validateExisting("profile", "__proto__", stored)))
    // Valid syntax, not stored: the caller reports "no profile named …".
    assert.deepStrictEqual(Names.validateExisting("profile", "toString", stored), Either.right("toString"))
  })
})
