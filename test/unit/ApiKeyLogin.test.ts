import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as ApiKeyLogin from "../../src/ApiKeyLogin.js"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as HttpStub from "../support/HttpStub.js"
import * as TestLayers from "../support/TestLayers.js"
import { ALICE_ACME, ALICE_ALL, BOB, LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"
import { cliText } from "../support/CliText.js"

const none = Option.none<string>()

const setup = (options: TestLayers.Options = {}) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
    const t = yield* TestLayers.make({ ...options, env: { LATCHKEY_API_URL: sandbox.apiUrl, ...options.env } })
    return { sandbox, t }
  })

describe("auth set-key", () => {
  it.scoped("stores a valid key with its first project and team, and makes the profile current", () =>
    Effect.gen(function*() {
      const { sandbox, t } = yield* setup()
      const result = yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(ALICE_ACME), profile: none, project: none, insecure: false }))
      assert.strictEqual(result.profile, "alice-key-7e2b")
      assert.deepStrictEqual(result.project, { id: "prj_acme_web", name: "Website" })
      assert.strictEqual(result.team?.slug, "acme")
      assert.strictEqual(result.maskedKey, "lk_****7e2b")
      const config = yield* t.config
      assert.strictEqual(config.currentProfile, "alice-key-7e2b")
      const profile = config.profiles["alice-key-7e2b"]!
      assert.strictEqual(profile.apiUrl, sandbox.apiUrl)
      // The profile refers to the secret; the secret store holds the key.
      assert.notInclude(JSON.stringify(config), ALICE_ACME)
      assert.deepStrictEqual([...(yield* t.secrets).entries()], [[`${profile.secretId}/api-key`, ALICE_ACME]])
    }))

  it.scoped("a key without the brand's prefix is refused before any request", () =>
    Effect.gen(function*() {
      const { sandbox, t } = yield* setup()
      const error = yield* Effect.flip(t.provide(ApiKeyLogin.setKey({ key: Redacted.make("sk-inference-x"), profile: none, project: none, insecure: false })))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.include(error.message, "API keys start with lk_; this one does not")
      assert.strictEqual(sandbox.requests.length, 0)
      assert.strictEqual((yield* t.secrets).size, 0)
    }))

  it.scoped("a profile name that breaks the rule is refused before the key is sent anywhere", () =>
    Effect.gen(function*() {
      const { sandbox, t } = yield* setup()
      for (const name of ["../../x", "__proto__", "a\x1b]0;t\x07", ""]) {
        const error = yield* Effect.flip(
          t.provide(ApiKeyLogin.setKey({ key: Redacted.make(ALICE_ACME), profile: Option.some(name), project: none, insecure: false }))
        )
        assert.strictEqual(error._tag, "UsageError")
        assert.include(error.message, "profile names are")
      }
      assert.strictEqual(sandbox.requests.length, 0)
      assert.strictEqual((yield* t.secrets).size, 0)
    }))

  it.scoped("a key with a NUL or another control character is refused before any request, and never quoted", () =>
    Effect.gen(function*() {
      const { sandbox, t } = yield* setup()
      for (const key of [`${ALICE_ACME}\x00tail`, `${ALICE_ACME}\x1b[2J`, `${ALICE_ACME}\x7f`, `${ALICE_ACME}\u202e`]) {
        const error = yield* Effect.flip(t.provide(ApiKeyLogin.setKey({ key: Redacted.make(key), profile: none, project: none, insecure: false })))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.strictEqual(error.message, "an API key can hold only printable ASCII characters; this one has others (it was not sent)")
      }
      assert.strictEqual(sandbox.requests.length, 0)
      assert.strictEqual((yield* t.secrets).size, 0)
    }))

  it.scoped("a key the platform rejects is not kept", () =>
    Effect.gen(function*() {
      const { sandbox, t } = yield* setup()
      const error = yield* Effect.flip(t.provide(ApiKeyLogin.setKey({ key: Redacted.make("lk_sandbox_alice_revoked_0b5e1d9f7a"), profile: none, project: none, insecure: false })))
      assert.strictEqual(error._tag, "CredentialRejected")
      assert.isAbove(sandbox.requests.length, 0)
      assert.deepStrictEqual((yield* t.config).profiles, {})
      assert.strictEqual((yield* t.secrets).size, 0)
    }))

  it.scoped("--project picks by id or by name ignoring case; an unknown one stores nothing", () =>
    Effect.gen(function*() {
      const { t } = yield* setup()
      const byName = yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(ALICE_ALL), profile: Option.some("a"), project: Option.some("globex api"), insecure: false }))
      assert.deepStrictEqual(byName.project, { id: "prj_globex_api", name: "Globex API" })
      assert.strictEqual(byName.team?.slug, "globex")
      const byId = yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(ALICE_ALL), profile: Option.some("b"), project: Option.some("prj_acme_ml"), insecure: false }))
      assert.strictEqual(byId.project?.id, "prj_acme_ml")
      const error = yield* Effect.flip(t.provide(ApiKeyLogin.setKey({ key: Redacted.make(ALICE_ALL), profile: Option.some("c"), project: Option.some("prj_initech_tps"), insecure: false })))
      assert.include(error.message, "no project prj_initech_tps among the key's projects")
      assert.deepStrictEqual(Object.keys((yield* t.config).profiles).sort(), ["a", "b"])
    }))

  it.scoped("goes into the current profile; a key of another user there is refused", () =>
    Effect.gen(function*() {
      const { t } = yield* setup()
      yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(ALICE_ACME), profile: Option.some("main"), project: none, insecure: false }))
      const again = yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(ALICE_ALL), profile: none, project: none, insecure: false }))
      assert.strictEqual(again.profile, "main")
      assert.isFalse(again.created)
      const error = yield* Effect.flip(t.provide(ApiKeyLogin.setKey({ key: Redacted.make(BOB), profile: none, project: none, insecure: false })))
      assert.include(error.message, "profile main is alice@example.com's, but this login is bob@example.com's")
      // Alice's newer key is still the one stored.
      const secrets = [...(yield* t.secrets).values()]
      assert.deepStrictEqual(secrets, [ALICE_ALL])
    }))
})

describe("auth token", () => {
  it.scoped("non-interactive without both flags is a usage error naming what is missing, and asks nothing", () =>
    Effect.gen(function*() {
      const { sandbox, t } = yield* setup()
      const error = yield* Effect.flip(t.provide(ApiKeyLogin.token({ apiKey: Option.some(Redacted.make(ALICE_ACME)), project: none, profile: none, interactive: false, insecure: false })))
      assert.strictEqual(error._tag, "UsageError")
      assert.include(cliText(error), "pass --project")
      const both = yield* Effect.flip(t.provide(ApiKeyLogin.token({ apiKey: Option.none(), project: none, profile: none, interactive: false, insecure: false })))
      assert.include(cliText(both), "pass --api-key and --project")
      assert.strictEqual(sandbox.requests.length, 0)
    }))

  it.scoped("interactive: asks for the key (masked) and which project", () =>
    Effect.gen(function*() {
      const { t } = yield* setup({ prompts: [ALICE_ALL, "Model Training"] })
      const result = yield* t.provide(ApiKeyLogin.token({ apiKey: Option.none(), project: none, profile: none, interactive: true, insecure: false }))
      assert.deepStrictEqual(yield* t.asked, ["API key", "Project"])
      assert.strictEqual(result.project?.id, "prj_acme_ml")
      assert.strictEqual(result.profile, "alice-key-0c51")
    }))

  it.scoped("interactive with one project: no question about it", () =>
    Effect.gen(function*() {
      const { t } = yield* setup({ prompts: [BOB] })
      const result = yield* t.provide(ApiKeyLogin.token({ apiKey: Option.none(), project: none, profile: none, interactive: true, insecure: false }))
      assert.deepStrictEqual(yield* t.asked, ["API key"])
      assert.strictEqual(result.project?.id, "prj_initech_tps")
    }))

  it.scoped("with both flags it asks nothing, even on a terminal", () =>
    Effect.gen(function*() {
      const { t } = yield* setup()
      const result = yield* t.provide(ApiKeyLogin.token({ apiKey: Option.some(Redacted.make(ALICE_ALL)), project: Option.some("prj_globex_api"), profile: Option.some("ci"), interactive: true, insecure: false }))
      assert.strictEqual(result.profile, "ci")
      assert.deepStrictEqual(yield* t.asked, [])
    }))
})

describe("auth login --with-api-key", () => {
  it.scoped("reads the first non-empty line of stdin; --no-switch keeps the current profile", () =>
    Effect.gen(function*() {
      const { t } = yield* setup({ stdin: `\n  ${BOB}  \n` })
      yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(ALICE_ACME), profile: Option.some("alice"), project: none, insecure: false }))
      const result = yield* t.provide(ApiKeyLogin.withApiKey({ profile: Option.some("bob"), project: none, noSwitch: true, interactive: false, insecure: false }))
      assert.strictEqual(result.profile, "bob")
      assert.isFalse(result.current)
      assert.strictEqual((yield* t.config).currentProfile, "alice")
    }))

  it.scoped("empty stdin is a usage error", () =>
    Effect.gen(function*() {
      const { t } = yield* setup({ stdin: "\n\n" })
      const error = yield* Effect.flip(t.provide(ApiKeyLogin.withApiKey({ profile: none, project: none, noSwitch: false, interactive: false, insecure: false })))
      assert.strictEqual(error._tag, "UsageError")
      assert.include(error.message, "no API key on standard input")
    }))

  it.scoped("on a terminal it prompts (masked) instead of reading stdin", () =>
    Effect.gen(function*() {
      const { t } = yield* setup({ tty: true, prompts: [BOB] })
      const result = yield* t.provide(ApiKeyLogin.withApiKey({ profile: none, project: none, noSwitch: false, interactive: true, insecure: false }))
      assert.strictEqual(result.user?.email, "bob@example.com")
      assert.deepStrictEqual(yield* t.asked, ["API key"])
    }))

  it.scoped("logging in again with the same key updates the profile instead of adding one", () =>
    Effect.gen(function*() {
      const { t } = yield* setup({ stdin: ALICE_ACME })
      const first = yield* t.provide(ApiKeyLogin.withApiKey({ profile: none, project: none, noSwitch: false, interactive: false, insecure: false }))
      const second = yield* t.provide(ApiKeyLogin.withApiKey({ profile: none, project: none, noSwitch: false, interactive: false, insecure: false }))
      assert.strictEqual(first.profile, second.profile)
      assert.deepStrictEqual([first.created, second.created], [true, false])
      assert.strictEqual(Object.keys((yield* t.config).profiles).length, 1)
      assert.strictEqual((yield* t.secrets).size, 1)
    }))
})

describe("validation needs the platform", () => {
  it.effect("an unreachable API stores nothing and says which URL failed", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make([
        { method: "GET", url: "https://down.test/v1/me", respond: () => HttpStub.json(503, { message: "maintenance" }) },
        { method: "GET", url: "https://down.test/v1/projects", times: 1, respond: () => HttpStub.json(503, {}) },
        { method: "GET", url: "https://down.test/v1/teams", times: 1, respond: () => HttpStub.json(503, {}) }
      ])
      const t = yield* TestLayers.make({ http: stub.layer, env: { LATCHKEY_API_URL: "https://down.test" } })
      const error = yield* Effect.flip(t.provide(ApiKeyLogin.setKey({ key: Redacted.make(ALICE_ACME), profile: none, project: none, insecure: false })))
      assert.strictEqual(error._tag, "ApiError")
      assert.include(error.message, "https://down.test/v1/")
      assert.strictEqual((yield* t.secrets).size, 0)
      yield* stub.verify
    }))
})
