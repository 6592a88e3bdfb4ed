import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Brand from "../../src/Brand.js"
import * as Credentials from "../../src/Credentials.js"
import * as ConfigStore from "../../src/ConfigStore.js"
import type { EnvSettings } from "../../src/Settings.js"
import * as SecretStore from "../../src/SecretStore.js"
import { brand, config, profile, session } from "../support/Configs.js"
import * as TestLayers from "../support/TestLayers.js"

const env = (overrides: Partial<EnvSettings> = {}): EnvSettings => ({
  apiKey: Option.none(),
  projectId: Option.none(),
  apiUrl: Option.none(),
  profile: Option.none(),
  useProfile: false,
  configDir: Option.none(),
  xdgConfigHome: Option.none(),
  home: Option.none(),
  appData: Option.none(),
  ci: false,
  keyring: true,
  ...overrides
})

const key = Redacted.make("lk_env_key_0000")
const flags = (profile?: string, project?: string): Credentials.Flags => ({
  profile: Option.fromNullable(profile),
  project: Option.fromNullable(project)
})

const withProfiles = config(
  {
    work: profile({ project: { id: "prj_work" } }),
    ci: profile({ apiUrl: "https://ci.test", project: { id: "prj_ci" } }),
    sessionOnly: (() => {
      const { apiKey: _, ...p } = profile()
      return { ...p, session: session() }
    })(),
    both: profile({ session: session() }),
    empty: (() => {
      const { apiKey: _, ...p } = profile()
      return p
    })()
  },
  { currentProfile: "work" }
)

const decide = (f: Credentials.Flags, e: EnvSettings, c: ConfigStore.ConfigFile = withProfiles) =>
  Credentials.plan({ brand, flags: f, env: e, config: c })

const right = (r: ReturnType<typeof decide>) => {
  if (Either.isLeft(r)) throw new Error(`expected a plan, got ${r.left.message}`)
  return r.right
}
const left = (r: ReturnType<typeof decide>) => {
  if (Either.isRight(r)) throw new Error(`expected a failure, got ${r.right._tag}`)
  return r.left
}

describe("Credentials.plan: the resolution order", () => {
  it("1. --profile beats an API key in the environment", () => {
    const p = right(decide(flags("ci"), env({ apiKey: Option.some(key), profile: Option.some("work") })))
    assert.strictEqual(p._tag, "FromProfile")
    assert.deepStrictEqual(p.source, { _tag: "ProfileFlag", profile: "ci" })
  })

  it("1. --profile naming no profile fails, even with an API key in the environment", () => {
    const e = left(decide(flags("nope"), env({ apiKey: Option.some(key) })))
    assert.strictEqual(e._tag, "InvalidInput")
    assert.include(e.message, "no profile named nope")
  })

  it("2. the API-key variable beats LATCHKEY_PROFILE and the current profile, and names the profile it shadows", () => {
    const p = right(decide(flags(), env({ apiKey: Option.some(key), profile: Option.some("ci") })))
    assert.strictEqual(p._tag, "FromEnv")
    if (p._tag !== "FromEnv") return
    assert.deepStrictEqual(p.source, { _tag: "EnvApiKey", variable: "LATCHKEY_API_KEY" })
    assert.deepStrictEqual(p.shadowed, Option.some("ci"))
    assert.strictEqual(Redacted.value(p.apiKey), "lk_env_key_0000")
  })

  it("2. with only a current profile, the API-key variable shadows that one", () => {
    const p = right(decide(flags(), env({ apiKey: Option.some(key) })))
    assert.strictEqual(p._tag, "FromEnv")
    if (p._tag === "FromEnv") assert.deepStrictEqual(p.shadowed, Option.some("work"))
  })

  it("2. with nothing stored, the API-key variable shadows nothing", () => {
    const p = right(decide(flags(), env({ apiKey: Option.some(key) }), config({})))
    assert.strictEqual(p._tag, "FromEnv")
    if (p._tag === "FromEnv") assert.deepStrictEqual(p.shadowed, Option.none())
  })

  it("2. the API URL is LATCHKEY_API_URL, else the current environment's, else the brand's", () => {
    const viaVar = right(decide(flags(), env({ apiKey: Option.some(key), apiUrl: Option.some("https://var.test") })))
    const staging = config({}, {
      currentEnvironment: "staging",
      environments: { default: { apiUrl: brand.defaultApiUrl }, staging: { apiUrl: "https://staging.test" } }
    })
    const viaEnvironment = right(decide(flags(), env({ apiKey: Option.some(key) }), staging))
    const viaBrand = right(decide(flags(), env({ apiKey: Option.some(key) }), config({})))
    assert.deepStrictEqual(
      [viaVar, viaEnvironment, viaBrand].map((p) => p._tag === "FromEnv" ? [p.apiUrl, p.environment] : null),
      [["https://var.test", "default"], ["https://staging.test", "staging"], [brand.defaultApiUrl, "default"]]
    )
  })

  it("2. LATCHKEY_USE_PROFILE=1 turns the API-key variable off", () => {
    const p = right(decide(flags(), env({ apiKey: Option.some(key), useProfile: true })))
    assert.strictEqual(p._tag, "FromProfile")
    assert.deepStrictEqual(p.source, { _tag: "CurrentProfile", profile: "work" })
  })

  it("3. LATCHKEY_PROFILE beats the current profile", () => {
    const p = right(decide(flags(), env({ profile: Option.some("ci") })))
    assert.deepStrictEqual(p.source, { _tag: "EnvProfile", variable: "LATCHKEY_PROFILE", profile: "ci" })
  })

  it("3. LATCHKEY_PROFILE naming no profile fails with the variable's name", () => {
    const e = left(decide(flags(), env({ profile: Option.some("ghost") })))
    assert.strictEqual(e._tag, "InvalidInput")
    assert.include(e.message, "LATCHKEY_PROFILE names ghost")
  })

  it("4. the current profile", () => {
    const p = right(decide(flags(), env()))
    assert.deepStrictEqual(p.source, { _tag: "CurrentProfile", profile: "work" })
    assert.strictEqual(p._tag === "FromProfile" && p.method, "api-key")
  })

  it("nothing at all: not authenticated", () => {
    const e = left(decide(flags(), env(), config({})))
    assert.strictEqual(e._tag, "NotAuthenticated")
  })

  it("a current profile that no longer exists counts as none", () => {
    const e = left(decide(flags(), env(), config({}, { currentProfile: "deleted" })))
    assert.strictEqual(e._tag, "NotAuthenticated")
  })

  it("in a profile, an API key beats a session; a session alone is used; neither is not authenticated", () => {
    const both = right(decide(flags("both"), env()))
    const session = right(decide(flags("sessionOnly"), env()))
    assert.strictEqual(both._tag === "FromProfile" && both.method, "api-key")
    assert.strictEqual(session._tag === "FromProfile" && session.method, "session")
    assert.strictEqual(left(decide(flags("empty"), env()))._tag, "NotAuthenticated")
  })

  it("project: --project beats LATCHKEY_PROJECT_ID beats the profile's", () => {
    const projectOf = (p: Credentials.Plan) => Option.getOrNull(Option.map(p.project, (c) => [c.id, c.from]))
    assert.deepStrictEqual(projectOf(right(decide(flags(undefined, "prj_flag"), env({ projectId: Option.some("prj_env") })))), ["prj_flag", "flag"])
    assert.deepStrictEqual(projectOf(right(decide(flags(), env({ projectId: Option.some("prj_env") })))), ["prj_env", "env"])
    assert.deepStrictEqual(projectOf(right(decide(flags(), env()))), ["prj_work", "profile"])
    // With the API-key variable there is no profile project to fall back to.
    assert.deepStrictEqual(projectOf(right(decide(flags(), env({ apiKey: Option.some(key) })))), null)
    assert.deepStrictEqual(
      projectOf(right(decide(flags(), env({ apiKey: Option.some(key), projectId: Option.some("prj_env") })))),
      ["prj_env", "env"]
    )
  })
})

describe("Credentials.resolve", () => {
  const seeded = (secretId: string) => config({ work: profile({ secretId, apiUrl: "https://work.test" }) }, { currentProfile: "work" })

  it.effect("reads the profile's secret from the secret store", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded("s1") })
      yield* t.provide(Effect.flatMap(SecretStore.SecretStore, (s) => s.put({ id: "s1", kind: "api-key" }, Redacted.make("lk_stored"), "memory")))
      const resolved = yield* t.provide(Credentials.resolve(Credentials.noFlags))
      assert.strictEqual(Redacted.value(resolved.credential.token), "lk_stored")
      assert.strictEqual(resolved.credential.apiUrl, "https://work.test")
      assert.strictEqual(resolved.storage, "memory")
      assert.deepStrictEqual(t.recorded.stderr, [])
    }))

  it.effect("a profile whose secret is gone is not authenticated, and says where it looked", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded("s2") })
      const error = yield* Effect.flip(t.provide(Credentials.resolve(Credentials.noFlags)))
      assert.strictEqual(error._tag, "NotAuthenticated")
      assert.include(error.message, "the API key of profile work is missing")
    }))

  it.effect("an API key in the environment that shadows a stored profile says so once on stderr", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: seeded("s3"), env: { LATCHKEY_API_KEY: "lk_from_env" } })
      const resolved = yield* t.provide(Credentials.resolve(Credentials.noFlags))
      assert.strictEqual(Redacted.value(resolved.credential.token), "lk_from_env")
      assert.strictEqual(resolved.storage, "env")
      assert.deepStrictEqual(t.recorded.stderr, [
        "latchkey: using LATCHKEY_API_KEY instead of profile work (set LATCHKEY_USE_PROFILE=1 to use the profile)"
      ])
    }))

  it.effect("empty variables count as unset", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ config: config({}), env: { LATCHKEY_API_KEY: "  ", LATCHKEY_PROFILE: "" } })
      const error = yield* Effect.flip(t.provide(Credentials.resolve(Credentials.noFlags)))
      assert.strictEqual(error._tag, "NotAuthenticated")
    }))

  it.effect("LATCHKEY_USE_PROFILE accepts 1/true/yes", () =>
    Effect.gen(function*() {
      for (const value of ["1", "true", "YES"]) {
        const t = yield* TestLayers.make({ config: seeded("s4"), env: { LATCHKEY_API_KEY: "lk_env", LATCHKEY_USE_PROFILE: value } })
        yield* t.provide(Effect.flatMap(SecretStore.SecretStore, (s) => s.put({ id: "s4", kind: "api-key" }, Redacted.make("lk_stored"), "memory")))
        const resolved = yield* t.provide(Credentials.resolve(Credentials.noFlags))
        assert.strictEqual(resolved.storage, "memory", value)
      }
    }))
})

describe("Credentials.plan: names that are not names", () => {
  it("a profile name with Object.prototype's spelling is no profile, from the flag or the variable", () => {
    for (const name of ["toString", "constructor", "hasOwnProperty", "valueOf"]) {
      const viaFlag = left(decide(flags(name), env()))
      assert.deepStrictEqual([viaFlag._tag, viaFlag.message.startsWith(`no profile named ${name}`)], ["InvalidInput", true], name)
      const viaVariable = left(decide(flags(), env({ profile: Option.some(name) })))
      assert.deepStrictEqual([viaVariable._tag, viaVariable.message.startsWith(`LATCHKEY_PROFILE names ${name}`)], ["InvalidInput", true], name)
    }
  })

  it("a current profile named after Object.prototype's members counts as none", () => {
    for (const name of ["toString", "constructor"]) {
      const e = left(decide(flags(), env(), config({}, { currentProfile: name })))
      assert.strictEqual(e.message.split(";")[0], "not logged in", name)
    }
  })

  it("a name that breaks the rule is a usage error naming where it came from", () => {
    for (const name of ["__proto__", "", "../../x", "a\x1b[2Jb", "x".repeat(5000)]) {
      const viaFlag = left(decide(flags(name), env({ apiKey: Option.some(key) })))
      assert.strictEqual(viaFlag._tag, "UsageError", JSON.stringify(name))
      assert.include(viaFlag.message, "in --profile: profile names are")
      const viaVariable = left(decide(flags(), env({ profile: Option.some(name) })))
      assert.strictEqual(viaVariable._tag, "UsageError")
      assert.include(viaVariable.message, "in LATCHKEY_PROFILE: profile names are")
    }
  })

  it("a profile stored under a name from before the rule can still be chosen by that name", () => {
    const legacy = config({ "my old key": profile() })
    assert.strictEqual(left(decide(flags("my old key"), env()))._tag, "UsageError", "not stored: the rule applies")
    assert.strictEqual(right(Credentials.plan({ brand, flags: flags("my old key"), env: env(), config: legacy }))._tag, "FromProfile")
  })
})

describe("Credentials: no credential in cleartext to another host", () => {
  const lab = (allowHttp: boolean) =>
    config({ labbed: profile({ environment: "lab", apiUrl: "http://10.0.0.5" }) }, {
      currentEnvironment: "lab",
      currentProfile: "labbed",
      environments: { default: { apiUrl: brand.defaultApiUrl }, lab: { apiUrl: "http://10.0.0.5", ...(allowHttp ? { allowHttp } : {}) } }
    })

  it("LATCHKEY_API_URL over plain http to another host is a usage error naming the variable; loopback is fine", () => {
    const e = left(decide(flags(), env({ apiKey: Option.some(key), apiUrl: Option.some("http://api.example.com") })))
    assert.strictEqual(e._tag, "UsageError")
    assert.include(e.message, `LATCHKEY_API_URL "http://api.example.com" is plain http to another host`)
    const local = right(decide(flags(), env({ apiKey: Option.some(key), apiUrl: Option.some("http://127.0.0.1:4477") })))
    assert.strictEqual(local._tag === "FromEnv" && local.apiUrl, "http://127.0.0.1:4477")
  })

  it("in an environment added with --allow-http, its URL, its profiles and LATCHKEY_API_URL may use plain http", () => {
    const viaEnvironment = right(Credentials.plan({ brand, flags: flags(), env: env({ apiKey: Option.some(key) }), config: lab(true) }))
    assert.strictEqual(viaEnvironment._tag === "FromEnv" && viaEnvironment.apiUrl, "http://10.0.0.5")
    const viaVariable = right(Credentials.plan({
      brand,
      flags: flags(),
      env: env({ apiKey: Option.some(key), apiUrl: Option.some("http://10.0.0.6") }),
      config: lab(true)
    }))
    assert.strictEqual(viaVariable._tag === "FromEnv" && viaVariable.apiUrl, "http://10.0.0.6")
    assert.strictEqual(right(Credentials.plan({ brand, flags: flags(), env: env(), config: lab(true) }))._tag, "FromProfile")
  })

  it("without --allow-http, neither the environment's plain-http URL nor a stored profile's is used", () => {
    const viaEnvironment = left(Credentials.plan({ brand, flags: flags(), env: env({ apiKey: Option.some(key) }), config: lab(false) }))
    assert.strictEqual(viaEnvironment._tag, "InvalidInput")
    assert.include(viaEnvironment.message, `the API URL of environment lab "http://10.0.0.5" is plain http`)
    const viaProfile = left(Credentials.plan({ brand, flags: flags(), env: env(), config: lab(false) }))
    assert.include(viaProfile.message, `the API URL of profile labbed "http://10.0.0.5" is plain http`)
  })

  it("a brand whose default API URL is plain http to another host is refused too", () => {
    const plain = Brand.make({ defaultApiUrl: "http://api.example.com" })
    const e = left(Credentials.plan({ brand: plain, flags: flags(), env: env({ apiKey: Option.some(key) }), config: ConfigStore.empty(plain) }))
    assert.include(e.message, `the API URL of environment default "http://api.example.com" is plain http`)
  })

  it.effect("a login target over plain http to another host is refused before anything is sent", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ env: { LATCHKEY_API_URL: "http://api.example.com" } })
      const error = yield* Effect.flip(t.provide(Credentials.loginTarget))
      assert.strictEqual(error._tag, "UsageError")
      const allowed = yield* TestLayers.make({ config: lab(true) })
      assert.deepStrictEqual(
        yield* allowed.provide(Effect.map(Credentials.loginTarget, (l) => [l.apiUrl, l.allowHttp])),
        ["http://10.0.0.5", true]
      )
    }))
})
