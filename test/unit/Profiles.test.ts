import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Environments from "../../src/Environments.js"
import * as Names from "../../src/Names.js"
import * as Profiles from "../../src/Profiles.js"
import { own } from "../../src/internal/records.js"
import { SecretStore } from "../../src/SecretStore.js"
import { brand, config, profile, session } from "../support/Configs.js"
import * as HttpStub from "../support/HttpStub.js"
import * as TestLayers from "../support/TestLayers.js"
import { cliText } from "../support/CliText.js"

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

  it.effect("names of Object.prototype's members are no profile: get, use and logout fail and change nothing", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded() })
      const before = yield* t.config
      for (const name of ["toString", "constructor", "hasOwnProperty", "valueOf", "isPrototypeOf"]) {
        const errors = yield* Effect.all([
          Effect.flip(t.provide(Profiles.get(name))),
          Effect.flip(t.provide(Profiles.use(Option.some(name), false))),
          Effect.flip(t.provide(Profiles.logout(Option.some(name))))
        ])
        for (const error of errors) {
          assert.deepStrictEqual([error._tag, cliText(error).startsWith(`no profile named ${name} `)], ["InvalidInput", true], name)
        }
      }
      assert.deepStrictEqual(yield* t.config, before)
    }))

  it.effect("a profile name that breaks the rule is a usage error for get, use, logout and save", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded() })
      const before = yield* t.config
      for (const name of ["__proto__", "", "../../x", "a\x1b]0;x\x07", "x".repeat(5000)]) {
        const errors = yield* Effect.all([
          Effect.flip(t.provide(Profiles.get(name))),
          Effect.flip(t.provide(Profiles.use(Option.some(name), false))),
          Effect.flip(t.provide(Profiles.logout(Option.some(name)))),
          Effect.flip(t.provide(Profiles.save({
            name,
            environment: "default",
            apiUrl: "https://api.test",
            credential: { kind: "api-key", key: Redacted.make("lk_new_key_1234") },
            user: { id: "usr_alice", email: "alice@example.com" },
            team: Option.none(),
            project: Option.none(),
            makeCurrent: true,
            insecure: false
          })))
        ])
        for (const error of errors) {
          assert.strictEqual(error._tag, "UsageError", JSON.stringify(name))
          assert.include(error.message, `profile names are ${Names.RULE}`)
        }
      }
      assert.deepStrictEqual(yield* t.config, before)
      assert.strictEqual((yield* t.secrets).size, 0, "no secret was stored")
    }))

  it.effect("a profile stored under a name from before the rule can still be used and logged out", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: config({ "my old key": profile({ secretId: "s-old" }) }) })
      assert.strictEqual((yield* t.provide(Profiles.use(Option.some("my old key"), false))).name, "my old key")
      assert.strictEqual((yield* t.provide(Profiles.get("my old key"))).name, "my old key")
      yield* t.provide(Profiles.logout(Option.some("my old key")))
      assert.deepStrictEqual((yield* t.config).profiles, {})
    }))

  it("apiKeyProfileName follows the name rule whatever the server says the email is", () => {
    const key = Redacted.make("lk_sandbox_alice_acme_4f1c9a7e2b")
    const name = (email: string, k = key) => Profiles.apiKeyProfileName({ id: "u", email }, k)
    assert.strictEqual(name("alice@example.com"), "alice-key-7e2b")
    for (
      const email of [
        "",
        "@example.com",
        "..@x",
        "__proto__@x",
        "\x1b]0;pwned\x07@x",
        "a".repeat(50_000) + "@x",
        "-rf@x",
        "élise@x"
      ]
    ) {
      assert.isTrue(Names.isValid(name(email)), JSON.stringify(name(email)))
    }
    assert.isTrue(Names.isValid(name("bob@x", Redacted.make("lk_\x00\x1b[2J"))))
  })

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
      for (const name of ["", "__proto__", "../../x", "a\x1b[2J", "x".repeat(5000)]) {
        const error = yield* add(name, "https://x.test")
        assert.deepStrictEqual([error._tag, error.message.includes(`environment names are ${Names.RULE}`)], ["UsageError", true])
      }
      assert.include((yield* add("nope", "https://nope.test")).message, "HTTP 404")
      assert.deepStrictEqual(Object.keys((yield* t.config).environments), ["default"])
    }))

  it.effect("add refuses plain http to another host before contacting it; --allow-http stores the opt-in", () =>
    Effect.gen(function*() {
      // No request is expected: the stub fails the test on any.
      const stub = HttpStub.make([{
        method: "GET",
        url: "http://10.0.0.5/v1/cli/config",
        respond: () => HttpStub.json(200, { issuer: "http://10.0.0.5:8080", clientId: "cli" })
      }])
      const t = yield* TestLayers.make({ config: seeded(), http: stub.layer })
      const before = yield* t.config
      const add = (apiUrl: string, issuer: Option.Option<string>, allowHttp?: boolean) =>
        t.provide(Environments.add({ name: "lab", apiUrl, issuer, clientId: Option.none(), probe: true, ...(allowHttp === undefined ? {} : { allowHttp }) }))
      const refused = yield* Effect.flip(add("http://api.example.com", Option.none()))
      assert.deepStrictEqual(
        [refused._tag, cliText(refused)],
        ["UsageError", `--api-url "http://api.example.com" is plain http to another host, which would send credentials in cleartext; use https, or add the environment with --allow-http`]
      )
      const issuer = yield* Effect.flip(add("https://api.example.com", Option.some("http://id.example.com")))
      assert.deepStrictEqual([issuer._tag, issuer.message.startsWith(`--issuer "http://id.example.com" is plain http`)], ["UsageError", true])
      assert.deepStrictEqual(yield* t.config, before)
      assert.deepStrictEqual(stub.seen, [], "nothing was sent")

      const added = yield* add("http://10.0.0.5", Option.none(), true)
      assert.isTrue(added.allowHttp)
      assert.deepStrictEqual(own((yield* t.config).environments, "lab"), { apiUrl: "http://10.0.0.5", allowHttp: true })
      yield* stub.verify
    }))

  it.effect("add accepts plain http to this machine without any opt-in", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded() })
      for (const [name, url] of [["v4", "http://127.0.0.1:4477"], ["v6", "http://[::1]:4477"], ["host", "http://localhost:4477"]] as const) {
        yield* t.provide(Environments.add({ name, apiUrl: url, issuer: Option.some(url), clientId: Option.some("cli"), probe: false }))
        assert.strictEqual(own((yield* t.config).environments, name)?.allowHttp, undefined)
      }
    }))

  it.effect("use and delete: Object.prototype's names are no environment, bad names a usage error; nothing changes", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded() })
      const before = yield* t.config
      for (const name of ["toString", "constructor", "hasOwnProperty"]) {
        const errors = yield* Effect.all([Effect.flip(t.provide(Environments.use(name))), Effect.flip(t.provide(Environments.remove(name)))])
        for (const error of errors) {
          assert.deepStrictEqual([error._tag, error.message.startsWith(`no environment named ${name}`)], ["InvalidInput", true], name)
        }
      }
      for (const name of ["__proto__", "", "../x"]) {
        const errors = yield* Effect.all([Effect.flip(t.provide(Environments.use(name))), Effect.flip(t.provide(Environments.remove(name)))])
        for (const error of errors) assert.strictEqual(error._tag, "UsageError", name)
      }
      assert.deepStrictEqual(yield* t.config, before)
    }))

  it.effect("an environment stored under a name from before the rule can still be used and deleted", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({
        config: config({}, { environments: { default: { apiUrl: brand.defaultApiUrl }, "my lab": { apiUrl: "https://lab.test" } } })
      })
      assert.strictEqual((yield* t.provide(Environments.use("my lab"))).name, "my lab")
      assert.isTrue((yield* t.provide(Environments.remove("my lab"))).wasCurrent)
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
