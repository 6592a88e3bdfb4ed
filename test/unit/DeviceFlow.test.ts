/** RFC 8628 polling, driven by TestClock: exact poll times, no real sleeps. */
import { assert, describe, it } from "@effect/vitest"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as DeviceFlow from "../../src/DeviceFlow.js"
import type { DeviceAuthorization } from "../../src/OAuthClient.js"
import * as HttpStub from "../support/HttpStub.js"
import * as TestLayers from "../support/TestLayers.js"
import { cliText } from "../support/CliText.js"

const TOKEN = "http://issuer.test/token"

type Answer =
  | { readonly status: number; readonly body: unknown }
  | { readonly status: number; readonly text: string }
  | "network-error"
const pending = { status: 400, body: { error: "authorization_pending" } } as const
const slowDown = { status: 400, body: { error: "slow_down" } } as const
const tokens = { status: 200, body: { access_token: "at", token_type: "Bearer", expires_in: 3600, refresh_token: "rt" } } as const

/** A token endpoint that answers from a script and records the Clock time of every poll. */
const tokenEndpoint = (script: ReadonlyArray<Answer>) => {
  const times: Array<number> = []
  const remaining = [...script]
  const stub = HttpStub.make([{
    method: "POST",
    url: TOKEN,
    times: 1000,
    respond: (request) =>
      Effect.gen(function*() {
        times.push(yield* Clock.currentTimeMillis)
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        assert.include(body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code")
        assert.include(body, "device_code=dc-1")
        const next = remaining.shift()
        if (next === undefined) return yield* Effect.dieMessage("polled after the script ended")
        if (next === "network-error") {
          return yield* new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("ECONNRESET") })
        }
        if ("text" in next) return new Response(next.text, { status: next.status, headers: { "content-type": "text/html" } })
        return yield* HttpStub.json(next.status, next.body)
      })
  }])
  return { stub, times, remaining }
}

const authorization = (overrides: Partial<DeviceAuthorization> = {}): DeviceAuthorization => ({
  device_code: "dc-1",
  user_code: "ABCD-EFGH",
  verification_uri: "http://issuer.test/device",
  expires_in: 600,
  interval: 5,
  ...overrides
})

/** Run the poll with the clock advanced second by second until it ends; then a minute more. */
const run = (script: ReadonlyArray<Answer>, auth: DeviceAuthorization = authorization()) =>
  Effect.gen(function*() {
    const endpoint = tokenEndpoint(script)
    const t = yield* TestLayers.make({ http: endpoint.stub.layer })
    const fiber = yield* Effect.fork(
      t.provide(DeviceFlow.poll({ tokenEndpoint: TOKEN, clientId: "cli", authorization: auth }))
    )
    for (let i = 0; i < 700 && (yield* Fiber.poll(fiber))._tag === "None"; i++) {
      yield* TestClock.adjust("1 second")
    }
    const exit = yield* Fiber.await(fiber)
    const pollsAtEnd = endpoint.times.length
    yield* TestClock.adjust("60 seconds")
    return { exit, times: endpoint.times.map((ms) => ms / 1000), pollsAtEnd, pollsLater: endpoint.times.length, remaining: endpoint.remaining }
  })

const failureMessage = (exit: Awaited<Effect.Effect.Success<ReturnType<typeof run>>>["exit"]) =>
  exit._tag === "Failure" && exit.cause._tag === "Fail" ? cliText(exit.cause.error) : `not a failure: ${exit._tag}`

describe("DeviceFlow.poll (RFC 8628 §3.4–3.5)", () => {
  it.effect("pending, pending, tokens: polls every interval and stops at once", () =>
    Effect.gen(function*() {
      const r = yield* run([pending, pending, tokens])
      assert.strictEqual(r.exit._tag, "Success")
      assert.deepStrictEqual(r.times, [5, 10, 15])
      assert.strictEqual(r.pollsLater, r.pollsAtEnd, "no poll follows success")
    }))

  it.effect("tokens on the first poll", () =>
    Effect.gen(function*() {
      const r = yield* run([tokens])
      assert.strictEqual(r.exit._tag, "Success")
      if (r.exit._tag === "Success") assert.strictEqual(r.exit.value.access_token, "at")
      assert.deepStrictEqual(r.times, [5])
      assert.strictEqual(r.pollsLater, 1)
    }))

  it.effect("one slow_down adds five seconds for good", () =>
    Effect.gen(function*() {
      const r = yield* run([pending, slowDown, pending, tokens])
      assert.deepStrictEqual(r.times, [5, 10, 20, 30])
    }))

  it.effect("two slow_downs add ten seconds", () =>
    Effect.gen(function*() {
      const r = yield* run([slowDown, slowDown, pending, tokens])
      assert.deepStrictEqual(r.times, [5, 15, 30, 45])
    }))

  it.effect("no interval in the response: every five seconds", () =>
    Effect.gen(function*() {
      const { interval: _, ...withoutInterval } = authorization()
      const r = yield* run([pending, tokens], withoutInterval)
      assert.deepStrictEqual(r.times, [5, 10])
    }))

  it.effect("a longer interval is respected", () =>
    Effect.gen(function*() {
      const r = yield* run([pending, tokens], authorization({ interval: 8 }))
      assert.deepStrictEqual(r.times, [8, 16])
    }))

  it.effect("expires_in is a deadline: no poll after it, and a clear error", () =>
    Effect.gen(function*() {
      const r = yield* run([pending, pending, pending], authorization({ expires_in: 12 }))
      assert.deepStrictEqual(r.times, [5, 10])
      assert.include(failureMessage(r.exit), "the code expired before it was approved")
      assert.strictEqual(r.remaining.length, 1)
    }))

  it.effect("access_denied ends the login with its own message", () =>
    Effect.gen(function*() {
      const r = yield* run([pending, { status: 400, body: { error: "access_denied" } }])
      assert.deepStrictEqual(r.times, [5, 10])
      assert.strictEqual(failureMessage(r.exit), "the login was denied in the browser")
    }))

  it.effect("expired_token from the provider ends the login as expired", () =>
    Effect.gen(function*() {
      const r = yield* run([{ status: 400, body: { error: "expired_token" } }])
      assert.include(failureMessage(r.exit), "the code expired before it was approved; run `latchkey auth login` again")
    }))

  it.effect("a network error mid-way is retried with backoff inside the deadline", () =>
    Effect.gen(function*() {
      const r = yield* run([pending, "network-error", "network-error", pending, tokens])
      // 5, 10 (fails), then 10 s (2× interval) later, then 20 s (4×) later, then back to every 5 s.
      assert.deepStrictEqual(r.times, [5, 10, 20, 40, 45])
      assert.strictEqual(r.exit._tag, "Success")
    }))

  it.effect("network errors never carry polling past expires_in", () =>
    Effect.gen(function*() {
      const r = yield* run(["network-error", "network-error", "network-error"], authorization({ expires_in: 30 }))
      assert.deepStrictEqual(r.times, [5, 15])
      assert.include(failureMessage(r.exit), "expired")
    }))

  it.effect("an unknown error is reported with the provider's words", () =>
    Effect.gen(function*() {
      const r = yield* run([{ status: 400, body: { error: "invalid_client", error_description: "no such client" } }])
      assert.strictEqual(failureMessage(r.exit), "the provider refused the login: invalid_client (no such client)")
    }))
  describe("numbers from the provider are bounded (RFC 8628 §3.2)", () => {
    for (const interval of [0, -1, -5, 0.5, 3600, 1e9]) {
      it.effect(`interval ${interval} is refused before the first poll`, () =>
        Effect.gen(function*() {
          const r = yield* run([pending, pending, tokens], authorization({ interval }))
          assert.deepStrictEqual(r.times, [])
          assert.strictEqual(
            failureMessage(r.exit),
            `the provider asked to poll every ${interval} seconds; latchkey accepts 1 to 60 (RFC 8628 §3.2)`
          )
        }))
    }

    it.effect("an expires_in of 1e9 seconds is refused", () =>
      Effect.gen(function*() {
        const r = yield* run([tokens], authorization({ expires_in: 1e9 }))
        assert.deepStrictEqual(r.times, [])
        assert.include(failureMessage(r.exit), "latchkey accepts 1 to 3600")
      }))

    it.effect("the largest interval and code life accepted still poll", () =>
      Effect.gen(function*() {
        const r = yield* run([pending, tokens], authorization({ interval: 60, expires_in: 3600 }))
        assert.deepStrictEqual(r.times, [60, 120])
        assert.strictEqual(r.exit._tag, "Success")
      }))
  })

  describe("anything but authorization_pending and slow_down stops the login at once (RFC 8628 §3.5)", () => {
    it.effect("a 403 with unauthorized_client: one poll, the provider's words", () =>
      Effect.gen(function*() {
        const r = yield* run([
          { status: 403, body: { error: "unauthorized_client", error_description: "device flow is disabled for this client" } },
          pending,
          tokens
        ])
        assert.deepStrictEqual(r.times, [5])
        assert.strictEqual(r.pollsLater, 1)
        assert.strictEqual(
          failureMessage(r.exit),
          "the provider refused the login: unauthorized_client (device flow is disabled for this client)"
        )
      }))

    it.effect("an HTML 4xx page: one poll, its text, not \"code expired\"", () =>
      Effect.gen(function*() {
        const r = yield* run([{ status: 404, text: "<html><body><h1>Not Found</h1></body></html>" }, pending, tokens])
        assert.deepStrictEqual(r.times, [5])
        assert.strictEqual(failureMessage(r.exit), "the provider refused the login: HTTP 404: Not Found")
      }))

    it.effect("a 400 with an empty body: one poll", () =>
      Effect.gen(function*() {
        const r = yield* run([{ status: 400, text: "" }, pending, tokens])
        assert.deepStrictEqual(r.times, [5])
        assert.strictEqual(failureMessage(r.exit), "the provider refused the login: HTTP 400 with an empty body")
      }))

    it.effect("an error RFC 8628 §3.5 does not define, even on 401: one poll", () =>
      Effect.gen(function*() {
        const r = yield* run([{ status: 401, body: { error: "temporarily_unavailable_maybe" } }, pending, tokens])
        assert.deepStrictEqual(r.times, [5])
        assert.strictEqual(failureMessage(r.exit), "the provider refused the login: temporarily_unavailable_maybe")
      }))

    it.effect("a token response that does not decode (token_type mac) ends the login; the code is not polled again", () =>
      Effect.gen(function*() {
        const r = yield* run([{ status: 200, body: { access_token: "at", token_type: "mac", expires_in: 3600 } }, tokens])
        assert.deepStrictEqual(r.times, [5])
        assert.strictEqual(
          failureMessage(r.exit),
          "the provider's token response cannot be used: token_type must be Bearer (RFC 6749 §7.1; latchkey sends tokens only as Bearer tokens)"
        )
      }))

    it.effect("a malformed token response: the message holds no token", () =>
      Effect.gen(function*() {
        const r = yield* run([{ status: 200, body: { access_token: "SECRET-AT\r\nX: y", token_type: "Bearer", refresh_token: "SECRET-RT" } }])
        assert.deepStrictEqual(r.times, [5])
        assert.include(failureMessage(r.exit), "access_token must be")
        assert.notInclude(failureMessage(r.exit), "SECRET")
      }))

    it.effect("a refusal that echoes the device code does not show it", () =>
      Effect.gen(function*() {
        const r = yield* run([{ status: 403, text: "<h1>Forbidden</h1><p>device code dc-1 is blocked</p>" }])
        assert.strictEqual(failureMessage(r.exit), "the provider refused the login: HTTP 403: Forbidden device code [redacted] is blocked")
      }))

    it.effect("escape sequences in error_description never reach the message", () =>
      Effect.gen(function*() {
        const r = yield* run([{ status: 400, body: { error: "invalid_client", error_description: "\u001b]0;pwned\u0007\u001b[2Jbad \u009b31mclient" } }])
        assert.strictEqual(failureMessage(r.exit), "the provider refused the login: invalid_client (bad client)")
      }))

    it.effect("authorization_pending sent with 200 (as GitHub does) keeps polling at the interval", () =>
      Effect.gen(function*() {
        const r = yield* run([{ status: 200, body: { error: "authorization_pending" } }, tokens])
        assert.deepStrictEqual(r.times, [5, 10])
        assert.strictEqual(r.exit._tag, "Success")
      }))

    it.effect("5xx answers are retried with backoff inside the deadline", () =>
      Effect.gen(function*() {
        const r = yield* run([pending, { status: 503, text: "<h1>busy</h1>" }, { status: 502, body: {} }, pending, tokens])
        assert.deepStrictEqual(r.times, [5, 10, 20, 40, 45])
        assert.strictEqual(r.exit._tag, "Success")
      }))
  })
})
