/**
 * What the OAuth client accepts from a provider, and how it classifies what it refuses: numbers
 * and tokens bounded at decode, refusals (readable or not) as ProtocolError values, transport and
 * 5xx as ApiError, and no secret value in any message.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as OAuthClient from "../../src/OAuthClient.js"
import * as HttpStub from "../support/HttpStub.js"
import * as TestLayers from "../support/TestLayers.js"

const ISSUER = "http://issuer.test"
const TOKEN = `${ISSUER}/token`
const DEVICE = `${ISSUER}/device/auth`
const REVOKE = `${ISSUER}/revoke`

const text = (status: number, body: string, contentType = "text/html") =>
  Effect.succeed(new Response(body, { status, headers: { "content-type": contentType } }))

/** One endpoint answering `respond` once; returns what the client made of it. */
const call = <A>(
  method: string,
  url: string,
  respond: HttpStub.Stub["respond"],
  use: (client: OAuthClient.OAuthClientShape) => Effect.Effect<A, unknown>
) =>
  Effect.gen(function*() {
    const stub = HttpStub.make([{ method, url, respond }])
    const t = yield* TestLayers.make({ http: stub.layer })
    return yield* t.provide(Effect.flatMap(OAuthClient.OAuthClient, use).pipe(Effect.either))
  })

const token = (respond: HttpStub.Stub["respond"]) =>
  call("POST", TOKEN, respond, (c) => c.token(TOKEN, { grant_type: "refresh_token", refresh_token: Redacted.make("rt") }))

const device = (respond: HttpStub.Stub["respond"]) => call("POST", DEVICE, respond, (c) => c.deviceAuthorization(DEVICE, "cli", "openid"))

/** The Left of a successful call (a refusal or an unusable answer). */
const refusal = <A>(result: Either.Either<Either.Either<A, OAuthClient.ProtocolError>, unknown>) => {
  if (Either.isLeft(result)) throw new Error(`the call failed: ${String(result.left)}`)
  if (Either.isRight(result.right)) throw new Error("the answer was accepted")
  return result.right.left
}
const accepted = <A>(result: Either.Either<Either.Either<A, OAuthClient.ProtocolError>, unknown>): A => {
  if (Either.isLeft(result)) throw new Error(`the call failed: ${String(result.left)}`)
  if (Either.isLeft(result.right)) throw new Error(`refused: ${result.right.left.message}`)
  return result.right.right
}

const tokens = (overrides: Record<string, unknown> = {}) => ({ access_token: "at-1", token_type: "Bearer", expires_in: 3600, ...overrides })
const authorization = (overrides: Record<string, unknown> = {}) => ({
  device_code: "dc-1",
  user_code: "ABCD-EFGH",
  verification_uri: `${ISSUER}/device`,
  expires_in: 600,
  interval: 5,
  ...overrides
})

describe("token responses (RFC 6749 §5.1) are bounded at decode", () => {
  it.effect("token_type is Bearer in any case; mac is refused with one line", () =>
    Effect.gen(function*() {
      for (const type of ["Bearer", "bearer", "BEARER"]) {
        assert.strictEqual(accepted(yield* token(() => HttpStub.json(200, tokens({ token_type: type })))).token_type, type)
      }
      const mac = refusal(yield* token(() => HttpStub.json(200, tokens({ token_type: "mac" }))))
      assert.isTrue(mac.invalidAnswer)
      assert.strictEqual(mac.description, "token_type must be Bearer (RFC 6749 §7.1; latchkey sends tokens only as Bearer tokens)")
      assert.notInclude(mac.message, "\n")
    }))

  it.effect("expires_in: an integer from 1 s to a year; 1e308, 1e9 s past a year, 0, negative and fractions are refused; missing is fine", () =>
    Effect.gen(function*() {
      for (const bad of [1e308, 365 * 24 * 3600 + 1, 0, -5, 2.5, "3600"]) {
        const e = refusal(yield* token(() => HttpStub.json(200, tokens({ expires_in: bad }))))
        assert.strictEqual(e.description, "expires_in must be an integer number of seconds from 1 to 31536000 (RFC 6749 §5.1)", String(bad))
      }
      assert.strictEqual(accepted(yield* token(() => HttpStub.json(200, tokens({ expires_in: 31536000 })))).expires_in, 31536000)
      const { expires_in: _, ...without } = tokens()
      assert.isUndefined(accepted(yield* token(() => HttpStub.json(200, without))).expires_in)
    }))

  it.effect("an access token with CR, LF, NUL or a space is refused before it is ever sent, and the message does not contain it", () =>
    Effect.gen(function*() {
      for (const bad of ["SECRET-AT-1\r\nX-Evil: 1", "SECRET-AT-2\u0000", "SECRET AT 3", "SECRET-AT-4\u001b[2J"]) {
        const e = refusal(yield* token(() => HttpStub.json(200, tokens({ access_token: bad }))))
        assert.include(e.description, "access_token must be a string of 1 to 16384 characters allowed in a Bearer header")
        assert.notInclude(e.message, "SECRET")
      }
    }))

  it.effect("tokens longer than 16 KiB are refused; refresh and ID tokens must be printable ASCII", () =>
    Effect.gen(function*() {
      const long = refusal(yield* token(() => HttpStub.json(200, tokens({ access_token: "a".repeat(16 * 1024 + 1) }))))
      assert.include(long.description, "access_token must be")
      assert.strictEqual(accepted(yield* token(() => HttpStub.json(200, tokens({ access_token: "a".repeat(16 * 1024) })))).access_token.length, 16384)
      const refresh = refusal(yield* token(() => HttpStub.json(200, tokens({ refresh_token: "SECRET-RT\n" }))))
      assert.include(refresh.description, "refresh_token must be a string of 1 to 16384 printable ASCII characters")
      assert.notInclude(refresh.message, "SECRET")
      const id = refusal(yield* token(() => HttpStub.json(200, tokens({ id_token: "a.b.c\u0000" }))))
      assert.include(id.description, "id_token must be")
    }))

  it.effect("a malformed token response never shows a value: not the access token, not the refresh token", () =>
    Effect.gen(function*() {
      const answers = [
        tokens({ access_token: { value: "SECRET-AT-OBJECT" } }),
        tokens({ access_token: 4242424242, refresh_token: "SECRET-RT-NEXT" }),
        { token_type: "Bearer", refresh_token: "SECRET-RT-ONLY" },
        ["SECRET-IN-ARRAY"],
        "SECRET-AS-STRING"
      ]
      for (const body of answers) {
        const e = refusal(yield* token(() => HttpStub.json(200, body)))
        assert.isTrue(e.invalidAnswer)
        assert.notInclude(e.message, "SECRET", JSON.stringify(body))
        assert.notInclude(e.message, "4242424242")
        assert.notInclude(e.message, "\n")
      }
      const missing = refusal(yield* token(() => HttpStub.json(200, { token_type: "Bearer", refresh_token: "SECRET-RT-ONLY" })))
      assert.strictEqual(missing.description, "access_token is missing")
      const notJson = refusal(yield* token(() => text(200, "access_token=SECRET-FORM&token_type=bearer", "application/x-www-form-urlencoded")))
      assert.strictEqual(notJson.description, "the body is not JSON")
    }))
})

describe("device authorization responses (RFC 8628 §3.2) are bounded at decode", () => {
  it.effect("interval: 1 to 60 s; 0, negative, fractional and huge are refused; missing is allowed (5 s)", () =>
    Effect.gen(function*() {
      for (const bad of [0, -1, 0.5, 61, 1e9]) {
        const e = refusal(yield* device(() => HttpStub.json(200, authorization({ interval: bad }))))
        assert.strictEqual(e.description, "interval must be an integer number of seconds from 1 to 60 (RFC 8628 §3.2)", String(bad))
      }
      const { interval: _, ...without } = authorization()
      assert.isUndefined(accepted(yield* device(() => HttpStub.json(200, without))).interval)
      assert.strictEqual(accepted(yield* device(() => HttpStub.json(200, authorization({ interval: 60 })))).interval, 60)
    }))

  it.effect("expires_in of the code: 1 s to 1 hour; 1e9 is refused", () =>
    Effect.gen(function*() {
      for (const bad of [1e9, 3601, 0, -600]) {
        const e = refusal(yield* device(() => HttpStub.json(200, authorization({ expires_in: bad }))))
        assert.strictEqual(e.description, "expires_in must be an integer number of seconds from 1 to 3600 (RFC 8628 §3.2)", String(bad))
      }
    }))

  it.effect("a malformed answer never shows the device code", () =>
    Effect.gen(function*() {
      for (const body of [authorization({ device_code: "SECRET-DC-1", expires_in: "600" }), authorization({ device_code: { code: "SECRET-DC-2" } }), authorization({ device_code: "SECRET-DC-3\r\n" })]) {
        const e = refusal(yield* device(() => HttpStub.json(200, body)))
        assert.notInclude(e.message, "SECRET")
      }
    }))

  it.effect("the user code is made clean of escape sequences", () =>
    Effect.gen(function*() {
      const a = accepted(yield* device(() => HttpStub.json(200, authorization({ user_code: "\u001b]0;pwned\u0007ABCD-\u001b[2JEFGH" }))))
      assert.strictEqual(a.user_code, "ABCD-EFGH")
    }))
})

describe("refusals and failures are told apart", () => {
  it.effect("400 with an empty body: a ProtocolError without an error code", () =>
    Effect.gen(function*() {
      const e = refusal(yield* token(() => text(400, "")))
      assert.deepStrictEqual([e.status, e.error, e.description, e.invalidAnswer], [400, undefined, undefined, false])
      assert.strictEqual(e.detail, "HTTP 400 with an empty body")
    }))

  it.effect("an HTML 403 page: a ProtocolError with its words, without markup or scripts", () =>
    Effect.gen(function*() {
      const html = `<!doctype html><html><head><title>Forbidden</title><style>b{}</style><script>var x = "<b>"</script></head><body><h1>Access denied</h1>\n<p>Client not allowed</p></body></html>`
      const e = refusal(yield* token(() => text(403, html)))
      assert.strictEqual(e.status, 403)
      assert.strictEqual(e.detail, "HTTP 403: Forbidden Access denied Client not allowed")
    }))

  it.effect("an OAuth error on any refusal status, and on a 200 (as GitHub answers polls), is read as one", () =>
    Effect.gen(function*() {
      const forbidden = refusal(yield* token(() => HttpStub.json(403, { error: "unauthorized_client", error_description: "not for you" })))
      assert.deepStrictEqual([forbidden.status, forbidden.error, forbidden.description], [403, "unauthorized_client", "not for you"])
      const ok = refusal(yield* token(() => HttpStub.json(200, { error: "authorization_pending" })))
      assert.deepStrictEqual([ok.error, ok.invalidAnswer], ["authorization_pending", false])
    }))

  it.effect("error_description is made clean of escape sequences and cut to 200 characters", () =>
    Effect.gen(function*() {
      const e = refusal(
        yield* token(() =>
          HttpStub.json(400, { error: "invalid_\u001b[31mgrant", error_description: `\u001b]0;owned\u0007\u001b[2Jgo \u202eaway${"x".repeat(500)}` })
        )
      )
      assert.strictEqual(e.error, "invalid_grant")
      assert.isTrue(e.description!.startsWith("go away"))
      assert.strictEqual(e.description!.length, 200)
      assert.notMatch(e.message, /[\u0000-\u001f\u007f-\u009f\u202e]/)
    }))

  it.effect("a refusal that echoes a secret the request carried shows [redacted] instead", () =>
    Effect.gen(function*() {
      const result = yield* call("POST", TOKEN, () => HttpStub.json(400, { error: "invalid_grant", error_description: "unknown token rt-SECRET-42" }), (c) =>
        c.token(TOKEN, { grant_type: "refresh_token", refresh_token: Redacted.make("rt-SECRET-42") }))
      const scrubbed = refusal(result)
      assert.strictEqual(scrubbed.description, "unknown token [redacted]")
      const html = yield* call("POST", TOKEN, () => text(403, "<p>rt-SECRET-42 is not yours</p>"), (c) =>
        c.token(TOKEN, { grant_type: "refresh_token", refresh_token: Redacted.make("rt-SECRET-42") }))
      assert.strictEqual(refusal(html).detail, "HTTP 403: [redacted] is not yours")
    }))

  it.effect("an error response whose description is not a string keeps its error code", () =>
    Effect.gen(function*() {
      const e = refusal(yield* token(() => HttpStub.json(400, { error: "authorization_pending", error_description: { lang: "en" } })))
      assert.deepStrictEqual([e.error, e.description], ["authorization_pending", undefined])
    }))

  it.effect("5xx and transport failures are ApiErrors (worth another try), not refusals", () =>
    Effect.gen(function*() {
      const unavailable = yield* token(() => text(503, "<h1>down</h1>"))
      assert.isTrue(Either.isLeft(unavailable))
      if (Either.isLeft(unavailable)) assert.strictEqual((unavailable.left as { _tag: string })._tag, "ApiError")
    }))

  it.effect("revocation refused with 401 is a ProtocolError; 503 stays an ApiError", () =>
    Effect.gen(function*() {
      const revoke = (respond: HttpStub.Stub["respond"]) =>
        call("POST", REVOKE, respond, (c) => c.revoke(REVOKE, "cli", Redacted.make("rt"), "refresh_token"))
      const refused = yield* revoke(() => HttpStub.json(401, { error: "invalid_client" }))
      assert.strictEqual(Either.isLeft(refused) && (refused.left as OAuthClient.ProtocolError)._tag, "ProtocolError")
      const down = yield* revoke(() => HttpStub.json(503, {}))
      assert.strictEqual(Either.isLeft(down) && (down.left as { message: string }).message, `request to ${REVOKE} failed: revocation answered HTTP 503`)
    }))
})

describe("discovery (RFC 8414 §2)", () => {
  it.effect("revocation_endpoint_auth_methods_supported is read, made clean", () =>
    Effect.gen(function*() {
      const result = yield* call("GET", `${ISSUER}/.well-known/openid-configuration`, () =>
        HttpStub.json(200, {
          issuer: ISSUER,
          token_endpoint: TOKEN,
          jwks_uri: `${ISSUER}/jwks`,
          revocation_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_\u001b[1mjwt"]
        }), (c) => c.discover(ISSUER))
      assert.deepStrictEqual(Either.getOrThrow(result).revocation_endpoint_auth_methods_supported, ["client_secret_basic", "private_key_jwt"])
    }))
})
