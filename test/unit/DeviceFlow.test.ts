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

const TOKEN = "http://issuer.test/token"

type Answer = { readonly status: number; readonly body: unknown } | "network-error"
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
  exit._tag === "Failure" && exit.cause._tag === "Fail" ? exit.cause.error.message : `not a failure: ${exit._tag}`

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
})
