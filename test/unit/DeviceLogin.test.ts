/** `auth login` as a use case: an in-memory platform and issuer, TestClock for the polling. */
import { assert, describe, it } from "@effect/vitest"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Credentials from "../../src/Credentials.js"
import * as DeviceLogin from "../../src/DeviceLogin.js"
import * as Profiles from "../../src/Profiles.js"
import * as Session from "../../src/Session.js"
import { brand, config } from "../support/Configs.js"
import * as Drive from "../support/Drive.js"
import * as FakePlatform from "../support/FakePlatform.js"
import * as TestLayers from "../support/TestLayers.js"
import { cliText } from "../support/CliText.js"

const input = (overrides: Partial<DeviceLogin.LoginInput> = {}): DeviceLogin.LoginInput => ({
  profile: Option.none(),
  team: Option.none(),
  project: Option.none(),
  noSwitch: false,
  openBrowser: false,
  interactive: false,
  insecure: false,
  ...overrides
})

const shown: Array<DeviceLogin.CodeInfo> = []
const hooks: DeviceLogin.Hooks = {
  onCode: (info) => Effect.sync(() => void shown.push(info)),
  whileWaiting: (wait) => wait
}

const setup = (fake: FakePlatform.Options = {}, options: TestLayers.Options = {}) =>
  Effect.gen(function*() {
    const platform = yield* FakePlatform.make(fake)
    const t = yield* TestLayers.make({ http: platform.layer, ...options, env: { LATCHKEY_API_URL: FakePlatform.API, ...options.env } })
    const login = (i: Partial<DeviceLogin.LoginInput> = {}) => Drive.toEnd(t.provide(DeviceLogin.login(input(i), hooks)))
    return { platform, t, login }
  })

describe("auth login (device flow)", () => {
  it.effect("discovers, polls, validates the ID token, and stores a session named after the email", () =>
    Effect.gen(function*() {
      const { login, platform, t } = yield* setup({ pollErrors: ["authorization_pending"] })
      yield* TestClock.setTime(Date.parse("2026-11-22T12:00:00Z"))
      const result = yield* login({ team: Option.some("acme") })
      assert.strictEqual(result.profile, "alice@example.com")
      assert.deepStrictEqual([result.team?.slug, result.project?.id], ["acme", "prj_web"])
      assert.strictEqual(platform.polls(), 2)
      const config = yield* t.config
      const profile = config.profiles["alice@example.com"]!
      assert.strictEqual(config.currentProfile, "alice@example.com")
      assert.deepStrictEqual(profile.session, {
        storage: "memory",
        issuer: FakePlatform.ISSUER,
        clientId: FakePlatform.CLIENT_ID,
        subject: "usr_alice",
        tokenEndpoint: `${FakePlatform.ISSUER}/token`,
        revocationEndpoint: `${FakePlatform.ISSUER}/revoke`
      })
      // Tokens live in the secret store, never in the profile file.
      assert.notInclude(JSON.stringify(config), "rt-1")
      const stored = yield* t.provide(Session.read("alice@example.com", profile))
      assert.deepStrictEqual([stored.accessToken, stored.refreshToken], ["at-1", "rt-1"])
      assert.strictEqual(stored.expiresAt, Date.parse("2026-11-22T12:00:10Z") + 3600_000)
    }))

  it.effect("an environment's own issuer and client id are used without asking the platform", () =>
    Effect.gen(function*() {
      const platform = yield* FakePlatform.make({ announceIssuer: false })
      const t = yield* TestLayers.make({
        http: platform.layer,
        config: config({}, {
          currentEnvironment: "corp",
          environments: {
            default: { apiUrl: brand.defaultApiUrl },
            corp: { apiUrl: FakePlatform.API, issuer: FakePlatform.ISSUER, clientId: FakePlatform.CLIENT_ID }
          }
        })
      })
      const result = yield* Drive.toEnd(t.provide(DeviceLogin.login(input({ team: Option.some("acme") }), hooks)))
      assert.strictEqual(result.apiUrl, FakePlatform.API)
      assert.isFalse(platform.calls.some((c) => c.path.endsWith("/v1/cli/config")))
      assert.strictEqual((yield* t.config).profiles["alice@example.com"]?.environment, "corp")
    }))

  it.effect("the scopes asked for are openid offline_access email profile", () =>
    Effect.gen(function*() {
      const { login, platform } = yield* setup()
      yield* login({ team: Option.some("acme") })
      const auth = platform.calls.find((c) => c.path.endsWith("/device/auth"))!
      assert.deepStrictEqual(auth.form, { client_id: "cli", scope: "openid offline_access email profile" })
    }))

  it.effect("opens the browser at the complete verification URI when allowed", () =>
    Effect.gen(function*() {
      shown.length = 0
      const { login, t } = yield* setup()
      yield* login({ team: Option.some("acme"), openBrowser: true })
      assert.deepStrictEqual(yield* t.opened, [`${FakePlatform.DEVICE_PAGE}?user_code=ABCD-EFGH`])
      assert.deepStrictEqual([shown[0]!.userCode, shown[0]!.browserOpened], ["ABCD-EFGH", true])
    }))

  describe("team selection", () => {
    const teams = [
      { id: "team_acme", slug: "acme", name: "Acme Research" },
      { id: "team_globex", slug: "globex", name: "Globex Corporation" },
      { id: "ACME2", slug: "acme-two", name: "acme" }
    ]
    const pick = (wanted: string) =>
      Effect.gen(function*() {
        const { login } = yield* setup({ teams })
        return (yield* login({ team: Option.some(wanted) })).team?.id
      })

    it.effect("--team matches id or slug exactly, then slug or name ignoring case", () =>
      Effect.gen(function*() {
        assert.strictEqual(yield* pick("team_globex"), "team_globex", "by id")
        assert.strictEqual(yield* pick("globex"), "team_globex", "by slug")
        assert.strictEqual(yield* pick("Globex Corporation"), "team_globex", "by name with a space")
        assert.strictEqual(yield* pick("globex corporation"), "team_globex", "by name ignoring case")
        assert.strictEqual(yield* pick("GLOBEX"), "team_globex", "by slug ignoring case")
        // "acme" is a slug exactly (team_acme) before it is a name ignoring case (ACME2).
        assert.strictEqual(yield* pick("acme"), "team_acme")
        assert.strictEqual(yield* pick("ACME2"), "ACME2", "an id exactly")
      }))

    it.effect("several teams, non-interactive: the first, with a stderr line naming it and how to pick another", () =>
      Effect.gen(function*() {
        const { login, t } = yield* setup()
        const result = yield* login()
        assert.strictEqual(result.team?.slug, "acme")
        assert.include(t.recorded.stderr.join("\n"), "Using team Acme Research (acme), the first of 2; pass --team to choose another (acme, globex)")
      }))

    it.effect("several teams on a terminal: a choice", () =>
      Effect.gen(function*() {
        const { login, t } = yield* setup({}, { prompts: ["Globex Corporation"] })
        const result = yield* login({ interactive: true })
        assert.deepStrictEqual(yield* t.asked, ["Team"])
        assert.deepStrictEqual([result.team?.slug, result.project?.id], ["globex", "prj_api"])
      }))

    it.effect("one team is used as is, without a question", () =>
      Effect.gen(function*() {
        const { login, t } = yield* setup({ teams: [teams[1]!] }, { prompts: [] })
        const result = yield* login({ interactive: true })
        assert.strictEqual(result.team?.slug, "globex")
        assert.deepStrictEqual(yield* t.asked, [])
      }))

    it.effect("--project picks within the team", () =>
      Effect.gen(function*() {
        const { login } = yield* setup()
        const result = yield* login({ team: Option.some("acme"), project: Option.some("model training") })
        assert.strictEqual(result.project?.id, "prj_ml")
      }))
  })

  describe("profiles", () => {
    it.effect("logging in again as the same subject updates that profile, keeping its project when the team is the same", () =>
      Effect.gen(function*() {
        const { login, t } = yield* setup()
        yield* login({ team: Option.some("acme"), profile: Option.some("work") })
        yield* t.provide(Profiles.setProject("work", { id: "prj_ml", name: "Model Training", teamId: "team_acme" }, Option.none()))
        const again = yield* login({ team: Option.some("acme") })
        assert.strictEqual(again.profile, "work")
        assert.isFalse(again.created)
        assert.strictEqual(again.project?.id, "prj_ml")
        assert.deepStrictEqual(Object.keys((yield* t.config).profiles), ["work"])
      }))

    it.effect("changing team clears the project and selects the new team's first", () =>
      Effect.gen(function*() {
        const { login } = yield* setup()
        yield* login({ team: Option.some("acme") })
        const again = yield* login({ team: Option.some("globex") })
        assert.strictEqual(again.project?.id, "prj_api")
      }))

    it.effect("--no-switch stores the profile without making it current", () =>
      Effect.gen(function*() {
        const { login, t } = yield* setup()
        const result = yield* login({ team: Option.some("acme"), noSwitch: true })
        assert.isFalse(result.current)
        assert.isNull((yield* t.config).currentProfile)
      }))
  })

  describe("failures", () => {
    const nothingStored = (t: Effect.Effect.Success<ReturnType<typeof setup>>["t"]) =>
      Effect.gen(function*() {
        assert.deepStrictEqual((yield* t.config).profiles, {})
        assert.strictEqual((yield* t.secrets).size, 0)
      })

    it.effect("a failure after approval (unknown team) stores nothing and revokes the tokens", () =>
      Effect.gen(function*() {
        const { login, platform, t } = yield* setup()
        const error = yield* Effect.flip(login({ team: Option.some("initech") }))
        assert.include(error.message, "no team initech among yours (acme, globex)")
        yield* nothingStored(t)
        assert.deepStrictEqual(platform.revoked, ["rt-1"])
      }))

    it.effect("an ID token for another audience is refused; nothing stored, tokens revoked", () =>
      Effect.gen(function*() {
        const { login, platform, t } = yield* setup({ idToken: { audience: "someone-else" } })
        const error = yield* Effect.flip(login({ team: Option.some("acme") }))
        assert.strictEqual(error._tag, "LoginFailed")
        assert.include(error.message, "the ID token is not valid")
        assert.include(error.message, "aud")
        yield* nothingStored(t)
        assert.deepStrictEqual(platform.revoked, ["rt-1"])
      }))

    it.effect("an expired ID token is refused", () =>
      Effect.gen(function*() {
        const { login } = yield* setup({ idToken: { expiresIn: -10 } })
        const error = yield* Effect.flip(login({ team: Option.some("acme") }))
        assert.include(error.message, "the ID token is not valid")
        assert.include(error.message, "exp")
      }))

    it.effect("an ID token from another issuer is refused", () =>
      Effect.gen(function*() {
        const { login } = yield* setup({ idToken: { issuer: "http://evil.test" } })
        const error = yield* Effect.flip(login({ team: Option.some("acme") }))
        assert.include(error.message, "iss")
      }))

    it.effect("denial in the browser: its own message, nothing stored", () =>
      Effect.gen(function*() {
        const { login, t } = yield* setup({ pollErrors: ["authorization_pending", "access_denied"] })
        const error = yield* Effect.flip(login())
        assert.strictEqual(error.message, "the login was denied in the browser")
        yield* nothingStored(t)
      }))

    it.effect("a platform that announces no issuer: a clear error naming how to configure one", () =>
      Effect.gen(function*() {
        const { login } = yield* setup({ announceIssuer: false })
        const error = yield* Effect.flip(login())
        assert.include(error.message, "announces no OpenID issuer")
        assert.include(cliText(error), "--issuer URL --client-id ID")
      }))
  })
})

describe("sessions", () => {
  const loggedIn = (fake: FakePlatform.Options = {}) =>
    Effect.gen(function*() {
      const s = yield* setup(fake)
      yield* TestClock.setTime(Date.parse("2026-11-22T12:00:00Z"))
      yield* s.login({ team: Option.some("acme") })
      const profile = (yield* s.t.config).profiles["alice@example.com"]!
      return { ...s, profile }
    })

  it.effect("a token with more than a minute left is used as is; within a minute it is refreshed and the rotated token stored", () =>
    Effect.gen(function*() {
      const { platform, profile, t } = yield* loggedIn()
      const first = yield* t.provide(Credentials.resolve(Credentials.noFlags))
      assert.strictEqual(Redacted.value(first.credential.token), "at-1")
      assert.strictEqual(platform.refreshes, 0)
      const { expiresAt } = yield* t.provide(Session.read("alice@example.com", profile))
      yield* TestClock.setTime(expiresAt - 61_000)
      assert.strictEqual(Redacted.value((yield* t.provide(Credentials.resolve(Credentials.noFlags))).credential.token), "at-1")
      yield* TestClock.setTime(expiresAt - 59_000)
      const refreshed = yield* t.provide(Credentials.resolve(Credentials.noFlags))
      assert.strictEqual(Redacted.value(refreshed.credential.token), "at-2")
      assert.strictEqual(platform.refreshes, 1)
      const stored = yield* t.provide(Session.read("alice@example.com", profile))
      assert.strictEqual(stored.refreshToken, "rt-2")
      assert.isFalse(platform.refreshTokens.has("rt-1"), "the used refresh token is gone at the provider")
    }))

  it.effect("concurrent uses of an expiring token refresh once", () =>
    Effect.gen(function*() {
      const { platform, t } = yield* loggedIn()
      yield* TestClock.adjust("3600 seconds")
      const tokens = yield* Effect.all(
        Array.from({ length: 8 }, () => t.provide(Credentials.resolve(Credentials.noFlags))),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(new Set(tokens.map((r) => Redacted.value(r.credential.token))), new Set(["at-2"]))
      assert.strictEqual(platform.refreshes, 1)
    }))

  it.effect("a refused refresh token: session expired, exit 4", () =>
    Effect.gen(function*() {
      const { platform, t } = yield* loggedIn()
      platform.refreshTokens.clear()
      yield* TestClock.adjust("3600 seconds")
      const error = yield* Effect.flip(t.provide(Credentials.resolve(Credentials.noFlags)))
      assert.strictEqual(error._tag, "SessionExpired")
      assert.strictEqual(cliText(error), "session expired, run `latchkey auth login --profile alice@example.com`")
    }))

  it.effect("logout revokes the refresh token, then removes profile and secret", () =>
    Effect.gen(function*() {
      const { platform, t } = yield* loggedIn()
      const result = yield* t.provide(Profiles.logout(Option.none()))
      assert.isTrue(result.revoked)
      assert.deepStrictEqual(platform.revoked, ["rt-1"])
      assert.deepStrictEqual((yield* t.config).profiles, {})
      assert.strictEqual((yield* t.secrets).size, 0)
    }))

  it.effect("logout still removes the profile locally when revocation fails, and says why", () =>
    Effect.gen(function*() {
      const { platform, t } = yield* loggedIn({ revocationFails: true })
      const result = yield* t.provide(Profiles.logout(Option.none()))
      assert.isFalse(result.revoked)
      assert.deepStrictEqual(result.revocationFailed, Option.some("request to https://issuer.test/revoke failed: revocation answered HTTP 503"))
      assert.deepStrictEqual((yield* t.config).profiles, {})
      assert.strictEqual((yield* t.secrets).size, 0)
      assert.isTrue(platform.refreshTokens.has("rt-1"), "still valid at the provider, which is why the user is warned")
    }))
})

describe("a provider that bends the rules (the fake platform with one answer replaced)", () => {
  /** The fake platform, except that `POST path` is answered with `status` and `body`. */
  const replacing = (path: string, status: number, body: string, contentType = "application/json") =>
    Effect.gen(function*() {
      const platform = yield* FakePlatform.make()
      const inner = yield* Effect.provide(HttpClient.HttpClient, platform.layer)
      const replaced: Array<string> = []
      const client = HttpClient.make((request) =>
        request.method === "POST" && request.url === `${FakePlatform.ISSUER}${path}`
          ? Effect.sync(() => {
            replaced.push(request.url)
            return HttpClientResponse.fromWeb(request, new Response(body, { status, headers: { "content-type": contentType } }))
          })
          : inner.execute(request)
      )
      const t = yield* TestLayers.make({ http: Layer.succeed(HttpClient.HttpClient, client), env: { LATCHKEY_API_URL: FakePlatform.API } })
      const error = yield* Effect.flip(Drive.toEnd(t.provide(DeviceLogin.login(input({ team: Option.some("acme") }), hooks))))
      assert.deepStrictEqual((yield* t.config).profiles, {})
      assert.strictEqual((yield* t.secrets).size, 0)
      return { error, platform, replaced }
    })

  it.effect("a device authorization asking to poll every 0 seconds: refused before any poll, nothing stored", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ device_code: "SECRET-DC", user_code: "U", verification_uri: `${FakePlatform.ISSUER}/device`, expires_in: 600, interval: 0 })
      const { error, platform } = yield* replacing("/device/auth", 200, body)
      assert.strictEqual(
        error.message,
        `${FakePlatform.ISSUER} could not start the login: the answer is not valid: interval must be an integer number of seconds from 1 to 60 (RFC 8628 §3.2)`
      )
      assert.strictEqual(platform.polls(), 0)
    }))

  it.effect("a device authorization refused with an HTML 403: the page's words, no markup", () =>
    Effect.gen(function*() {
      const { error } = yield* replacing("/device/auth", 403, "<html><title>Forbidden</title><body>client blocked</body></html>", "text/html")
      assert.strictEqual(error.message, `${FakePlatform.ISSUER} could not start the login: HTTP 403: Forbidden client blocked`)
    }))

  it.effect("a token endpoint answering 403 unauthorized_client: one poll, nothing stored", () =>
    Effect.gen(function*() {
      const { error, replaced } = yield* replacing("/token", 403, JSON.stringify({ error: "unauthorized_client" }))
      assert.strictEqual(error.message, "the provider refused the login: unauthorized_client")
      assert.strictEqual(replaced.length, 1)
    }))
})
