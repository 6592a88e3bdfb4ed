/**
 * `auth login` against a provider that points somewhere in cleartext: the announced issuer and
 * every endpoint of its metadata pass the transport policy before anything is sent to them.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as DeviceLogin from "../../src/DeviceLogin.js"
import { brand, config } from "../support/Configs.js"
import * as Drive from "../support/Drive.js"
import * as FakePlatform from "../support/FakePlatform.js"
import * as HttpStub from "../support/HttpStub.js"
import * as TestLayers from "../support/TestLayers.js"

const API = "https://api.test"
const ISSUER = "https://id.test"

const input = (profile?: string): DeviceLogin.LoginInput => ({
  profile: Option.fromNullable(profile),
  team: Option.none(),
  project: Option.none(),
  noSwitch: false,
  openBrowser: false,
  interactive: false,
  insecure: false
})

const hooks: DeviceLogin.Hooks = { onCode: () => Effect.void, whileWaiting: (wait) => wait }

const metadata = (issuer: string, overrides: Record<string, string> = {}) => ({
  issuer,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
  device_authorization_endpoint: `${issuer}/device`,
  revocation_endpoint: `${issuer}/revoke`,
  ...overrides
})

const cliConfig = (apiUrl: string, issuer: string): HttpStub.Stub => ({
  method: "GET",
  url: `${apiUrl}/v1/cli/config`,
  respond: () => HttpStub.json(200, { issuer, clientId: "cli" })
})

const discovery = (issuer: string, body: unknown): HttpStub.Stub => ({
  method: "GET",
  url: `${issuer}/.well-known/openid-configuration`,
  respond: () => HttpStub.json(200, body)
})

const attempt = (stubs: ReadonlyArray<HttpStub.Stub>, options: TestLayers.Options = {}, profile?: string) =>
  Effect.gen(function*() {
    const stub = HttpStub.make(stubs)
    const t = yield* TestLayers.make({ http: stub.layer, env: { LATCHKEY_API_URL: API }, ...options })
    const before = yield* t.config
    const error = yield* Effect.flip(t.provide(DeviceLogin.login(input(profile), hooks)))
    assert.deepStrictEqual(yield* t.config, before, "nothing stored")
    return { error, sent: stub.seen.map((s) => `${s.method} ${s.url}`) }
  })

describe("auth login: no credential in cleartext to another host", () => {
  it.effect("an issuer announced over plain http is refused before it is contacted", () =>
    Effect.gen(function*() {
      const { error, sent } = yield* attempt([cliConfig(API, "http://id.example.com")])
      assert.strictEqual(error._tag, "InvalidInput")
      assert.include(error.message, `the issuer "http://id.example.com" is plain http to another host`)
      assert.deepStrictEqual(sent, [`GET ${API}/v1/cli/config`])
    }))

  for (const field of ["token_endpoint", "device_authorization_endpoint", "jwks_uri", "revocation_endpoint", "userinfo_endpoint"]) {
    it.effect(`a ${field} over plain http is refused before the device code is requested`, () =>
      Effect.gen(function*() {
        const { error, sent } = yield* attempt([
          cliConfig(API, ISSUER),
          discovery(ISSUER, metadata(ISSUER, { [field]: "http://evil.example.com/x" }))
        ])
        assert.strictEqual(error._tag, "InvalidInput")
        assert.include(error.message, `in the provider's metadata "http://evil.example.com/x" is plain http`)
        assert.deepStrictEqual(sent, [`GET ${API}/v1/cli/config`, `GET ${ISSUER}/.well-known/openid-configuration`])
      }))
  }

  it.effect("in an environment added with --allow-http, a plain-http provider is used", () =>
    Effect.gen(function*() {
      const lab = "http://10.0.0.5"
      const issuer = "http://10.0.0.5:8080"
      const { error, sent } = yield* attempt(
        [
          cliConfig(lab, issuer),
          discovery(issuer, metadata(issuer)),
          { method: "POST", url: `${issuer}/device`, respond: () => HttpStub.json(400, { error: "invalid_client" }) }
        ],
        {
          env: {},
          config: config({}, {
            currentEnvironment: "lab",
            environments: { default: { apiUrl: brand.defaultApiUrl }, lab: { apiUrl: lab, allowHttp: true } }
          })
        }
      )
      assert.strictEqual(error._tag, "LoginFailed", error.message)
      assert.deepStrictEqual(sent.at(-1), `POST ${issuer}/device`)
    }))

  it.effect("--profile with a name that breaks the rule fails before anything is sent", () =>
    Effect.gen(function*() {
      const { error, sent } = yield* attempt([], {}, "../../x")
      assert.strictEqual(error._tag, "UsageError")
      assert.include(error.message, `invalid profile name "../../x" in --profile`)
      assert.deepStrictEqual(sent, [])
    }))
})

describe("auth login: the profile name derived from the email", () => {
  it.effect("an email that cannot be a profile name stores nothing", () =>
    Effect.gen(function*() {
      const platform = yield* FakePlatform.make({ email: "alice smith/../x@example.com" })
      const t = yield* TestLayers.make({ http: platform.layer, env: { LATCHKEY_API_URL: FakePlatform.API } })
      const before = yield* t.config
      const error = yield* Effect.flip(Drive.toEnd(t.provide(DeviceLogin.login(input(), hooks))))
      assert.include(error.message, "profile name")
      assert.deepStrictEqual(yield* t.config, before)
      assert.strictEqual((yield* t.secrets).size, 0)
    }))
})
