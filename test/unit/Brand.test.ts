import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as ApiKeyLogin from "../../src/ApiKeyLogin.js"
import * as Brand from "../../src/Brand.js"
import * as Profiles from "../../src/Profiles.js"
import * as Settings from "../../src/Settings.js"
import * as TestLayers from "../support/TestLayers.js"

/** llamactl mixes prefixes and has no profile, config-directory or keyring variable. */
const llamactl: Brand.MakeOptions = {
  name: "llamactl",
  env: {
    apiKey: "LLAMA_CLOUD_API_KEY",
    projectId: "LLAMA_AGENTS_PROJECT_ID",
    apiUrl: "LLAMA_CLOUD_BASE_URL",
    useProfile: "LLAMA_CLOUD_USE_PROFILE",
    profile: undefined,
    configDir: undefined,
    keyring: undefined
  },
  keyPrefix: undefined
}

const read = (brand: Brand.MakeOptions, env: Record<string, string>) =>
  Effect.flatMap(TestLayers.make({ brand, env }), (t) => t.provide(Settings.read))

describe("Brand.make: the names of the variables", () => {
  it("latchkey's by default; every one from a prefix; single names over the prefix; undefined leaves one out", () => {
    assert.deepStrictEqual(Brand.make().env, {
      apiKey: "LATCHKEY_API_KEY",
      projectId: "LATCHKEY_PROJECT_ID",
      apiUrl: "LATCHKEY_API_URL",
      profile: "LATCHKEY_PROFILE",
      useProfile: "LATCHKEY_USE_PROFILE",
      configDir: "LATCHKEY_CONFIG_DIR",
      keyring: "LATCHKEY_KEYRING"
    })
    const inf = Brand.make({ envPrefix: "INF_", env: { profile: undefined, apiUrl: "INF_BASE_URL" } }).env
    assert.deepStrictEqual(
      [inf.apiKey, inf.apiUrl, inf.profile, inf.useProfile, inf.configDir],
      ["INF_API_KEY", "INF_BASE_URL", undefined, "INF_USE_PROFILE", "INF_CONFIG_DIR"]
    )
    assert.deepStrictEqual(Settings.variableNames(Brand.make(llamactl)), Brand.make(llamactl).env)
  })

  it("a name that is not a variable name is a bug in the embedder's code", () => {
    assert.throws(() => Brand.make({ env: { apiKey: "MY KEY" } }), /apiKey is named "MY KEY"/)
    assert.throws(() => Brand.make({ envPrefix: "A-B_" }), /not a variable name/)
  })
})

describe("Settings.read under a brand's names", () => {
  it.effect("llamactl: the mixed-prefix variables are read", () =>
    Effect.gen(function*() {
      const env = yield* read(llamactl, {
        LLAMA_CLOUD_API_KEY: "llx-key",
        LLAMA_AGENTS_PROJECT_ID: "prj_1",
        LLAMA_CLOUD_BASE_URL: "https://api.example",
        LLAMA_CLOUD_USE_PROFILE: "1"
      })
      assert.deepStrictEqual(Option.map(env.apiKey, Redacted.value), Option.some("llx-key"))
      assert.deepStrictEqual(env.projectId, Option.some("prj_1"))
      assert.deepStrictEqual(env.apiUrl, Option.some("https://api.example"))
      assert.isTrue(env.useProfile)
    }))

  it.effect("a left-out variable is ignored even when set, under any name it might have had", () =>
    Effect.gen(function*() {
      const set = {
        LATCHKEY_PROFILE: "p", LLAMA_CLOUD_PROFILE: "p", LLAMA_PROFILE: "p",
        LATCHKEY_CONFIG_DIR: "/x", LLAMA_CLOUD_CONFIG_DIR: "/x",
        LATCHKEY_KEYRING: "0", LLAMA_CLOUD_KEYRING: "0",
        LATCHKEY_API_KEY: "lk_x", LLAMA_API_KEY: "x"
      }
      const env = yield* read(llamactl, set)
      assert.isTrue(Option.isNone(env.profile))
      assert.isTrue(Option.isNone(env.configDir))
      assert.isTrue(env.keyring, "the keyring stays on")
      assert.isTrue(Option.isNone(env.apiKey), "latchkey's own names mean nothing to this brand")
      // The same values under latchkey's names are read by latchkey.
      const own = yield* read({}, set)
      assert.deepStrictEqual([own.profile, own.configDir, own.keyring], [Option.some("p"), Option.some("/x"), false])
    }))
})

describe("an optional key prefix", () => {
  it.effect("none: any non-empty printable key passes the prefix check; masks show only the last four", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ brand: { keyPrefix: undefined } })
      yield* t.provide(ApiKeyLogin.checkPrefix(Redacted.make("llx-abcdefghijklmnop")))
      const empty = yield* Effect.flip(t.provide(ApiKeyLogin.checkPrefix(Redacted.make(""))))
      assert.strictEqual(empty._tag, "InvalidInput")
      const spaced = yield* Effect.flip(t.provide(ApiKeyLogin.checkPrefix(Redacted.make("llx abc"))))
      assert.include(spaced.message, "white space")
      assert.strictEqual(Profiles.maskKey(Redacted.make("lk_sandbox_alice_acme_abcd"), undefined), "****abcd")
      // With a prefix the check still holds.
      const u = yield* TestLayers.make({ brand: { keyPrefix: "sk-inference-" } })
      const other = yield* Effect.flip(u.provide(ApiKeyLogin.checkPrefix(Redacted.make("llx-abcdefghijklmnop"))))
      assert.include(other.message, "API keys start with sk-inference-")
    }))
})
