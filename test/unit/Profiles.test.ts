import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Environments from "../../src/Environments.js"
import * as Profiles from "../../src/Profiles.js"
import { SecretStore } from "../../src/SecretStore.js"
import { brand, config, profile, session } from "../support/Configs.js"
import * as HttpStub from "../support/HttpStub.js"
import * as TestLayers from "../support/TestLayers.js"

const seeded = () =>
  config(
    {
      work: profile({ secretId: "s-work", session: session() }),
      ci: profile({ secretId: "s-ci", session: session() }),
      stage: profile({ secretId: "s-stage", environment: "staging", apiUrl: "https://staging.test", session: session() })
    },
    {
      currentProfile: "work",
      environments: { default: { apiUrl: brand.defaultApiUrl }, staging: { apiUrl: "https://staging.test" } }
    }
  )

const withSecrets = (t: Effect.Effect.Success<ReturnType<typeof TestLayers.make>>) =>
  t.provide(Effect.gen(function*() {
    const s = yield* SecretStore
    for (const id of ["s-work", "s-ci", "s-stage"]) {
      yield* s.put({ id, kind: "api-key" }, Redacted.make(`lk_${id}`), "memory")
      yield* s.put({ id, kind: "session" }, Redacted.make(`tok_${id}`), "memory")
    }
  }))

describe("Profiles", () => {
  it.effect("list shows only the current environment's profiles, the current one marked", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded() })
      const { environment, profiles } = yield* t.provide(Profiles.list())
      assert.strictEqual(environment, "default")
      assert.deepStrictEqual(profiles.map((p) => [p.name, p.current]), [["ci", false], ["work", true]])
    }))

  it.effect("use NAME switches profile and its environment; an unknown name changes nothing", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded() })
      yield* t.provide(Profiles.use(Option.some("stage"), false))
      const after = yield* t.config
      assert.deepStrictEqual([after.currentProfile, after.currentEnvironment], ["stage", "staging"])
      const error = yield* Effect.flip(t.provide(Profiles.use(Option.some("ghost"), false)))
      assert.include(error.message, "no profile named ghost")
      assert.strictEqual((yield* t.config).currentProfile, "stage")
    }))

  it.effect("use without NAME prompts on a terminal, and is a usage error otherwise", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded(), prompts: ["ci"] })
      const result = yield* t.provide(Profiles.use(Option.none(), true))
      assert.strictEqual(result.name, "ci")
      assert.deepStrictEqual(yield* t.asked, ["Profile to use"])
      const error = yield* Effect.flip(t.provide(Profiles.use(Option.none(), false)))
      assert.strictEqual(error._tag, "UsageError")
    }))

  it.effect("logout removes the profile and both its secrets, and clears current", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded() })
      yield* withSecrets(t)
      const result = yield* t.provide(Profiles.logout(Option.none()))
      assert.deepStrictEqual([result.name, result.wasCurrent], ["work", true])
      const after = yield* t.config
      assert.isNull(after.currentProfile)
      assert.deepStrictEqual(Object.keys(after.profiles).sort(), ["ci", "stage"])
      assert.deepStrictEqual([...(yield* t.secrets).keys()].filter((k) => k.startsWith("s-work")), [])
      assert.strictEqual((yield* t.secrets).size, 4)
      assert.deepStrictEqual(result.envKeyStillSet, Option.none())
    }))

  it.effect("logout of another profile keeps the current one; with the API-key variable set it says so", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded(), env: { LATCHKEY_API_KEY: "lk_env" } })
      const result = yield* t.provide(Profiles.logout(Option.some("ci")))
      assert.isFalse(result.wasCurrent)
      assert.strictEqual((yield* t.config).currentProfile, "work")
      assert.deepStrictEqual(result.envKeyStillSet, Option.some("LATCHKEY_API_KEY"))
    }))

  it("maskKey shows the prefix and last four only for long keys", () => {
    assert.strictEqual(Profiles.maskKey(Redacted.make("lk_sandbox_alice_acme_4f1c9a7e2b"), "lk_"), "lk_****7e2b")
    assert.strictEqual(Profiles.maskKey(Redacted.make("lk_short"), "lk_"), "lk_****")
    assert.strictEqual(Profiles.maskKey(Redacted.make("no-prefix-but-long-enough"), "lk_"), "****ough")
  })
})

describe("Environments", () => {
  it.effect("add probes the API, stores the environment and does not switch", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make([{
        method: "GET",
        url: "https://new.test/v1/cli/config",
        respond: () => HttpStub.json(200, { issuer: "https://issuer.test", clientId: "cli" })
      }])
      const t = yield* TestLayers.make({ config: seeded(), http: stub.layer })
      const result = yield* t.provide(Environments.add({ name: "new", apiUrl: "https://new.test/", issuer: Option.none(), clientId: Option.none(), probe: true }))
      assert.deepStrictEqual(result.discovered, { issuer: "https://issuer.test", clientId: "cli" })
      const after = yield* t.config
      assert.deepStrictEqual(after.environments["new"], { apiUrl: "https://new.test" })
      assert.strictEqual(after.currentEnvironment, "default")
      yield* stub.verify
    }))

  it.effect("add refuses a bad URL or name, and an API that does not answer the contract", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make([{ method: "GET", url: "https://nope.test/v1/cli/config", respond: () => HttpStub.json(404, {}) }])
      const t = yield* TestLayers.make({ http: stub.layer })
      const add = (name: string, apiUrl: string) =>
        Effect.flip(t.provide(Environments.add({ name, apiUrl, issuer: Option.none(), clientId: Option.none(), probe: true })))
      assert.include((yield* add("x", "ftp://x")).message, "--api-url must be an http(s) URL")
      assert.include((yield* add("bad name", "https://x.test")).message, "environment names are")
      assert.include((yield* add("nope", "https://nope.test")).message, "HTTP 404")
      assert.deepStrictEqual(Object.keys((yield* t.config).environments), ["default"])
    }))

  it.effect("use remembers each environment's current profile", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded() })
      const toStaging = yield* t.provide(Environments.use("staging"))
      assert.strictEqual(toStaging.currentProfile, "stage")
      const back = yield* t.provide(Environments.use("default"))
      assert.strictEqual(back.currentProfile, "work")
      const error = yield* Effect.flip(t.provide(Environments.use("nowhere")))
      assert.include(error.message, "no environment named nowhere")
    }))

  it.effect("delete refuses the built-in environment and one with profiles; deleting the current one goes back to the default", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded() })
      assert.include((yield* Effect.flip(t.provide(Environments.remove("default")))).message, "built-in")
      assert.include((yield* Effect.flip(t.provide(Environments.remove("staging")))).message, "still has profiles (stage)")
      yield* t.provide(Profiles.logout(Option.some("stage")))
      yield* t.provide(Environments.use("staging"))
      const result = yield* t.provide(Environments.remove("staging"))
      assert.isTrue(result.wasCurrent)
      const after = yield* t.config
      assert.deepStrictEqual([after.currentEnvironment, Object.keys(after.environments)], ["default", ["default"]])
    }))
})
