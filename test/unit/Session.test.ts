/**
 * A session's refresh and revocation against providers that bend the rules: refusals without a
 * readable body, unusable token answers, out-of-range numbers, and a provider that revokes only
 * for confidential clients.
 */
import { assert, describe, it } from "@effect/vitest"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { exitCode } from "../../src/Errors.js"
import type { TokenResponse } from "../../src/OAuthClient.js"
import * as Profiles from "../../src/Profiles.js"
import { SecretStore } from "../../src/SecretStore.js"
import * as Session from "../../src/Session.js"
import { config, profile, session } from "../support/Configs.js"
import * as HttpStub from "../support/HttpStub.js"
import * as TestLayers from "../support/TestLayers.js"
import { cliText } from "../support/CliText.js"

const ISSUER = "https://issuer.test"
const TOKEN = `${ISSUER}/token`
const REVOKE = `${ISSUER}/token/revocation`
const NOW = Date.parse("2026-11-22T12:00:00Z")
const stored: Session.SessionTokens = { accessToken: "at-old", refreshToken: "rt-old", expiresAt: NOW - 1000 }

const html = (status: number, body: string) => Effect.succeed(new Response(body, { status, headers: { "content-type": "text/html" } }))

/** A logged-in profile `work` whose access token has expired, and a provider answering from `stubs`. */
const setup = (stubs: ReadonlyArray<HttpStub.Stub>) =>
  Effect.gen(function*() {
    const http = HttpStub.make(stubs)
    const { apiKey: _, ...base } = profile({ secretId: "s-work", session: session() })
    const work = base
    const t = yield* TestLayers.make({ http: http.layer, config: config({ work }, { currentProfile: "work" }) })
    yield* t.provide(Effect.flatMap(SecretStore, (s) => s.put({ id: "s-work", kind: "session" }, Session.encode(stored), "memory")))
    yield* TestClock.setTime(NOW)
    const refresh = t.provide(Session.accessToken("work", work))
    const tokensNow = t.provide(Session.read("work", work))
    return { t, http, refresh, tokensNow, work }
  })

const refreshAnswer = (respond: HttpStub.Stub["respond"]) =>
  Effect.gen(function*() {
    const s = yield* setup([{ method: "POST", url: TOKEN, respond }])
    const error = yield* Effect.flip(s.refresh)
    // A refused or unusable refresh changes nothing stored.
    assert.deepStrictEqual(yield* s.tokensNow, stored)
    return error
  })

describe("refreshing a session (RFC 6749 §6)", () => {
  it.effect("400 with an empty body is a refused grant: session expired, exit 4", () =>
    Effect.gen(function*() {
      const error = yield* refreshAnswer(() => html(400, ""))
      assert.strictEqual(error._tag, "SessionExpired")
      assert.strictEqual(cliText(error), "session expired, run `latchkey auth login --profile work`")
      assert.strictEqual(exitCode(error as never), 4)
    }))

  it.effect("401 with an HTML page, 400 with non-JSON text, 403 with JSON but no error: session expired", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* refreshAnswer(() => html(401, "<html><body>Unauthorized</body></html>")))._tag, "SessionExpired")
      assert.strictEqual((yield* refreshAnswer(() => html(400, "bad request")))._tag, "SessionExpired")
      assert.strictEqual((yield* refreshAnswer(() => HttpStub.json(403, { message: "nope" })))._tag, "SessionExpired")
    }))

  it.effect("invalid_grant is a refused grant; another error says what the provider said, cleaned", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* refreshAnswer(() => HttpStub.json(400, { error: "invalid_grant" })))._tag, "SessionExpired")
      const other = yield* refreshAnswer(() => HttpStub.json(401, { error: "invalid_client", error_description: "\u001b[2Jclient \u001b]0;x\u0007gone" }))
      assert.strictEqual(other.message, "refreshing the session failed: invalid_client (client gone)")
    }))

  it.effect("a 5xx is not a refusal: a request failure, exit 1", () =>
    Effect.gen(function*() {
      const error = yield* refreshAnswer(() => html(502, "<h1>Bad gateway</h1>"))
      assert.strictEqual(error._tag, "ApiError")
      assert.strictEqual(error.message, `request to ${TOKEN} failed: HTTP 502`)
    }))

  it.effect("a network failure is not a refusal either", () =>
    Effect.gen(function*() {
      const error = yield* refreshAnswer((request) =>
        new HttpClientError.RequestError({ request, reason: "Transport", cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }))
      assert.strictEqual(error._tag, "ApiError")
      assert.include(error.message, "ECONNREFUSED")
    }))

  it.effect("token_type mac and expires_in 1e308 are refused, naming the field and never a token", () =>
    Effect.gen(function*() {
      const mac = yield* refreshAnswer(() => HttpStub.json(200, { access_token: "SECRET-NEW-AT", token_type: "mac", refresh_token: "SECRET-NEW-RT" }))
      assert.strictEqual(
        mac.message,
        `request to ${TOKEN} failed: the refreshed tokens cannot be used: token_type must be Bearer (RFC 6749 §7.1; latchkey sends tokens only as Bearer tokens)`
      )
      const huge = yield* refreshAnswer(() => HttpStub.json(200, { access_token: "SECRET-NEW-AT", token_type: "Bearer", expires_in: 1e308 }))
      assert.include(huge.message, "expires_in must be an integer number of seconds from 1 to 31536000")
      for (const e of [mac, huge]) assert.notInclude(e.message, "SECRET")
    }))

  it.effect("a good answer is stored with a finite expiry", () =>
    Effect.gen(function*() {
      const s = yield* setup([{
        method: "POST",
        url: TOKEN,
        respond: () => HttpStub.json(200, { access_token: "at-new", token_type: "bearer", expires_in: 120, refresh_token: "rt-new" })
      }])
      const token = yield* s.refresh
      assert.deepStrictEqual([Redacted.value(token.token), token.expiresAt, token.refreshed], ["at-new", NOW + 120_000, true])
      assert.deepStrictEqual(yield* s.tokensNow, { accessToken: "at-new", refreshToken: "rt-new", expiresAt: NOW + 120_000 })
    }))
})

describe("Session.fromTokenResponse", () => {
  it("never stores an expiry that is not finite: out-of-range lifetimes fall back to an hour", () => {
    const response = (expires_in: number): TokenResponse => ({ access_token: "at", token_type: "Bearer", expires_in })
    for (const bad of [1e308, Infinity, NaN, -1, 0, 1.5]) {
      const tokens = Session.fromTokenResponse(response(bad), NOW)
      assert.strictEqual(tokens.expiresAt, NOW + 3600_000, String(bad))
      assert.strictEqual(JSON.parse(Redacted.value(Session.encode(tokens))).expiresAt, NOW + 3600_000)
    }
    assert.strictEqual(Session.fromTokenResponse(response(60), NOW).expiresAt, NOW + 60_000)
    assert.strictEqual(Session.fromTokenResponse({ access_token: "at", token_type: "Bearer" }, NOW).expiresAt, NOW + 3600_000, "absent: an hour")
  })

  it.effect("a stored session whose expiry is not a number is unreadable, not used", () =>
    Effect.gen(function*() {
      const s = yield* setup([])
      yield* s.t.provide(Effect.flatMap(SecretStore, (store) =>
        store.put({ id: "s-work", kind: "session" }, Redacted.make(JSON.stringify({ accessToken: "at", expiresAt: null })), "memory")))
      const error = yield* Effect.flip(s.tokensNow)
      assert.include(error.message, "the stored session of profile work is unreadable")
    }))
})

describe("logout against a provider that revokes only for confidential clients (RFC 8414 §2)", () => {
  const discovery = (methods: ReadonlyArray<string> | undefined): HttpStub.Stub => ({
    method: "GET",
    url: `${ISSUER}/.well-known/openid-configuration`,
    respond: () =>
      HttpStub.json(200, {
        issuer: ISSUER,
        token_endpoint: TOKEN,
        jwks_uri: `${ISSUER}/jwks`,
        revocation_endpoint: REVOKE,
        ...(methods === undefined ? {} : { revocation_endpoint_auth_methods_supported: methods })
      })
  })
  const refused: HttpStub.Stub = {
    method: "POST",
    url: REVOKE,
    respond: () => HttpStub.json(401, { error: "invalid_client", error_description: "client authentication failed" })
  }

  it.effect("a 401 with metadata listing only client_secret_basic: the warning says exactly that", () =>
    Effect.gen(function*() {
      const s = yield* setup([discovery(["client_secret_basic"]), refused])
      const result = yield* s.t.provide(Profiles.logout(Option.none()))
      assert.deepStrictEqual(
        result.revocationFailed,
        Option.some("the provider only revokes tokens for confidential clients (revocation_endpoint_auth_methods_supported: client_secret_basic)")
      )
      assert.isFalse(result.revoked)
      assert.deepStrictEqual((yield* s.t.config).profiles, {})
      yield* s.http.verify
    }))

  it.effect("the CLI prints it as one warning line, and the profile is gone", () =>
    Effect.gen(function*() {
      const s = yield* setup([discovery(["client_secret_basic", "private_key_jwt"]), refused])
      const code = yield* s.t.cli("auth", "logout")
      assert.strictEqual(code, 0)
      assert.deepStrictEqual(s.t.recorded.stderr, [
        "latchkey: warning: could not revoke the session at the provider: the provider only revokes tokens for confidential clients (revocation_endpoint_auth_methods_supported: client_secret_basic, private_key_jwt); the session was removed locally but its tokens stay valid until they expire"
      ])
    }))

  it.effect("metadata that allows none (or says nothing): the provider's own refusal is reported", () =>
    Effect.gen(function*() {
      for (const methods of [["none", "client_secret_basic"], undefined]) {
        const s = yield* setup([discovery(methods), refused])
        const result = yield* s.t.provide(Profiles.logout(Option.none()))
        assert.deepStrictEqual(
          result.revocationFailed,
          Option.some(`request to ${REVOKE} failed: invalid_client (client authentication failed)`)
        )
      }
    }))
})

describe("logout of a session stored without a revocation endpoint", () => {
  it.effect("an endpoint discovered now goes under the same transport policy: plain http to another host is never contacted", () =>
    Effect.gen(function*() {
      const http = HttpStub.make([{
        method: "GET",
        url: `${ISSUER}/.well-known/openid-configuration`,
        respond: () =>
          HttpStub.json(200, { issuer: ISSUER, token_endpoint: TOKEN, jwks_uri: `${ISSUER}/jwks`, revocation_endpoint: "http://evil.example/revoke" })
      }])
      const { revocationEndpoint: _, ...withoutEndpoint } = session()
      const { apiKey: __, ...work } = profile({ secretId: "s-work", session: withoutEndpoint })
      const t = yield* TestLayers.make({ http: http.layer, config: config({ work }, { currentProfile: "work" }) })
      yield* t.provide(Effect.flatMap(SecretStore, (st) => st.put({ id: "s-work", kind: "session" }, Session.encode(stored), "memory")))
      const result = yield* t.provide(Profiles.logout(Option.none()))
      assert.isTrue(Option.isSome(result.revocationFailed))
      assert.include(Option.getOrThrow(result.revocationFailed), "the revocation endpoint in the provider's metadata \"http://evil.example/revoke\" is plain http")
      assert.deepStrictEqual((yield* t.config).profiles, {})
      // Only discovery was asked; a POST to the plain-http endpoint would be an unexpected request.
      yield* http.verify
    }))
})
