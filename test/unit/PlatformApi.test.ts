import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as net from "node:net"
import { PlatformApi } from "../../src/PlatformApi.js"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as HttpStub from "../support/HttpStub.js"
import * as TestLayers from "../support/TestLayers.js"
import { LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

const alice = Redacted.make("lk_sandbox_alice_all_8d3e6b0c51")

describe("PlatformApi against the sandbox", () => {
  it.scoped("me, teams, projects and team projects decode", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const t = yield* TestLayers.make()
      const api = yield* t.provide(PlatformApi)
      const c = { apiUrl: sandbox.apiUrl, token: alice }
      const me = yield* api.me(c)
      assert.deepStrictEqual(me.user, { id: "usr_alice", email: "alice@example.com", name: "Alice Example" })
      assert.strictEqual(me.credential.type, "api_key")
      assert.deepStrictEqual((yield* api.teams(c)).map((t) => t.slug), ["acme", "globex"])
      assert.deepStrictEqual((yield* api.projects(c)).map((p) => p.id), ["prj_acme_web", "prj_acme_ml", "prj_globex_api"])
      assert.deepStrictEqual((yield* api.teamProjects(c, "team_globex")).map((p) => p.id), ["prj_globex_api"])
      assert.deepStrictEqual(yield* api.cliConfig(sandbox.apiUrl), { issuer: sandbox.issuer, clientId: "latchkey-cli" })
    }))

  it.scoped("an unknown or revoked key is CredentialRejected with the server's reason", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const t = yield* TestLayers.make()
      const api = yield* t.provide(PlatformApi)
      for (const key of ["lk_unknown", "lk_sandbox_alice_revoked_0b5e1d9f7a"]) {
        const error = yield* Effect.flip(api.me({ apiUrl: sandbox.apiUrl, token: Redacted.make(key) }))
        assert.strictEqual(error._tag, "CredentialRejected")
        assert.include(error.message, "HTTP 401: unknown or revoked credential")
      }
    }))

  it.scoped("another team's projects are a 404, reported as ApiError", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const t = yield* TestLayers.make()
      const api = yield* t.provide(PlatformApi)
      const error = yield* Effect.flip(api.teamProjects({ apiUrl: sandbox.apiUrl, token: alice }, "team_initech"))
      assert.strictEqual(error._tag, "ApiError")
      assert.include(error.message, "HTTP 404")
    }))

  it.effect("a refused connection is an ApiError naming the socket error", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make()
      const api = yield* t.provide(PlatformApi)
      // A port that was free a moment ago: nothing listens there.
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const server = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo
            server.close(() => resolve(port))
          })
        })
      )
      const error = yield* Effect.flip(api.me({ apiUrl: `http://127.0.0.1:${port}`, token: alice }))
      assert.strictEqual(error._tag, "ApiError")
      assert.include(error.message, "ECONNREFUSED")
    }))
})

describe("PlatformApi with a stubbed HttpClient", () => {
  it.effect("sends the bearer token and decodes; every expected call was made", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make([{
        method: "GET",
        url: "http://api.test/v1/me",
        respond: () => HttpStub.json(200, { user: { id: "u", email: "u@x" }, credential: { type: "api_key" } })
      }])
      const t = yield* TestLayers.make({ http: stub.layer })
      const me = yield* t.provide(Effect.flatMap(PlatformApi, (api) => api.me({ apiUrl: "http://api.test/", token: alice })))
      assert.strictEqual(me.user.email, "u@x")
      assert.strictEqual(stub.seen[0]!.authorization, "Bearer lk_sandbox_alice_all_8d3e6b0c51")
      yield* stub.verify
    }))

  it.effect("403 is CredentialRejected; 500 and undecodable bodies are ApiError", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make([
        { method: "GET", url: "http://api.test/v1/teams", respond: () => HttpStub.json(403, { error: "forbidden" }) },
        { method: "GET", url: "http://api.test/v1/projects", respond: () => HttpStub.json(500, { message: "db down" }) },
        { method: "GET", url: "http://api.test/v1/me", respond: () => HttpStub.json(200, { user: { id: 1 } }) }
      ])
      const t = yield* TestLayers.make({ http: stub.layer })
      const api = yield* t.provide(PlatformApi)
      const c = { apiUrl: "http://api.test", token: alice }
      const forbidden = yield* Effect.flip(api.teams(c))
      const down = yield* Effect.flip(api.projects(c))
      const garbled = yield* Effect.flip(api.me(c))
      assert.deepStrictEqual([forbidden._tag, down._tag, garbled._tag], ["CredentialRejected", "ApiError", "ApiError"])
      assert.include(forbidden.message, "HTTP 403: forbidden")
      assert.include(down.message, "HTTP 500: db down")
      assert.include(garbled.message, "unexpected response")
      yield* stub.verify
    }))

  it.effect("a request with no answer fails after the brand's timeout", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make([{ method: "GET", url: "http://api.test/v1/me", respond: () => Effect.never }])
      const t = yield* TestLayers.make({ http: stub.layer, brand: { httpTimeoutMillis: 3000 } })
      const api = yield* t.provide(PlatformApi)
      const fiber = yield* Effect.fork(api.me({ apiUrl: "http://api.test", token: alice }))
      yield* TestClock.adjust("2999 millis")
      assert.strictEqual((yield* Fiber.poll(fiber))._tag, "None")
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "ApiError")
      assert.include(error.message, "no answer within 3s")
    }))
})

describe("PlatformApi against a hostile server", () => {
  const ESC = "\x1b]0;pwned\x07"
  const CONTROLS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
  const api = (stubs: ReadonlyArray<HttpStub.Stub>) =>
    Effect.gen(function*() {
      const stub = HttpStub.make(stubs)
      const t = yield* TestLayers.make({ http: stub.layer })
      return { stub, api: yield* t.provide(PlatformApi) }
    })
  const c = { apiUrl: "http://api.test", token: alice }
  const raw = (status: number, body: string) => Effect.succeed(new Response(body, { status, headers: { "content-type": "application/json" } }))

  it.effect("names, emails and ids are cleaned of escapes, C1 and bidi controls as they are decoded", () =>
    Effect.gen(function*() {
      const { api: platform } = yield* api([
        {
          method: "GET",
          url: "http://api.test/v1/me",
          respond: () => HttpStub.json(200, { user: { id: "u\x9b2J", email: `${ESC}a@x\x1b[2J`, name: "Eve\u202e" }, credential: { type: "api_key", name: "k\x07" } })
        },
        { method: "GET", url: "http://api.test/v1/teams", respond: () => HttpStub.json(200, { teams: [{ id: "t", slug: "s\x1b[31m", name: `${ESC}Red` }] }) },
        { method: "GET", url: "http://api.test/v1/projects", respond: () => HttpStub.json(200, { projects: [{ id: "p\r\n", name: "P\u2066", teamId: "t" }] }) }
      ])
      const me = yield* platform.me(c)
      assert.deepStrictEqual(me, { user: { id: "u", email: "a@x", name: "Eve" }, credential: { type: "api_key", name: "k" } })
      assert.deepStrictEqual(yield* platform.teams(c), [{ id: "t", slug: "s", name: "Red" }])
      assert.deepStrictEqual(yield* platform.projects(c), [{ id: "p", name: "P", teamId: "t" }])
    }))

  it.effect("a string longer than 1024 characters is refused, named by its path", () =>
    Effect.gen(function*() {
      const { api: platform } = yield* api([{
        method: "GET",
        url: "http://api.test/v1/me",
        respond: () => HttpStub.json(200, { user: { id: "u", email: "a".repeat(5000) }, credential: { type: "api_key" } })
      }])
      const error = yield* Effect.flip(platform.me(c))
      assert.strictEqual(error.message, "request to http://api.test/v1/me failed: unexpected response: at .user.email expected a string at most 1024 character(s) long")
    }))

  it.effect("a decode error names the path and the expected type, never the value", () =>
    Effect.gen(function*() {
      const secret = "sk_live_9f8e7d6c5b4a39281706"
      const { api: platform } = yield* api([
        { method: "GET", url: "http://api.test/v1/me", respond: () => HttpStub.json(200, { user: { id: "u", email: { token: secret } }, credential: { type: "api_key" } }) },
        { method: "GET", url: "http://api.test/v1/teams", respond: () => HttpStub.json(200, { teams: [{ id: "t", slug: "s", name: 1 }] }) },
        { method: "GET", url: "http://api.test/v1/projects", respond: () => HttpStub.json(200, { projects: [{ id: "p", teamId: "t" }] }) }
      ])
      const me = yield* Effect.flip(platform.me(c))
      const teams = yield* Effect.flip(platform.teams(c))
      const projects = yield* Effect.flip(platform.projects(c))
      assert.strictEqual(me.message, "request to http://api.test/v1/me failed: unexpected response: at .user.email expected a string")
      assert.strictEqual(teams.message, "request to http://api.test/v1/teams failed: unexpected response: at .teams[0].name expected a string")
      assert.strictEqual(projects.message, "request to http://api.test/v1/projects failed: unexpected response: at .projects[0].name a required value is missing")
      assert.notInclude(me.message, secret)
    }))

  it.effect("a body that is not JSON is named so, never quoted; 100,000 levels of nesting are one line", () =>
    Effect.gen(function*() {
      const nested = "[".repeat(100_000) + "]".repeat(100_000)
      const { api: platform } = yield* api([
        { method: "GET", url: "http://api.test/v1/me", respond: () => raw(200, "lk_sandbox_alice_all_8d3e6b0c51 is your key") },
        { method: "GET", url: "http://api.test/v1/teams", respond: () => raw(200, `{"teams":[{"id":"t","slug":"s","name":${nested}}]}`) },
        { method: "GET", url: "http://api.test/v1/projects", respond: () => raw(500, `{"message":${nested}}`) }
      ])
      const notJson = yield* Effect.flip(platform.me(c))
      assert.strictEqual(notJson.message, "request to http://api.test/v1/me failed: unexpected response: the body is not JSON")
      const deep = yield* Effect.flip(platform.teams(c))
      assert.strictEqual(deep.message, "request to http://api.test/v1/teams failed: unexpected response: at .teams[0].name expected a string")
      const deepError = yield* Effect.flip(platform.projects(c))
      assert.strictEqual(deepError.message, "request to http://api.test/v1/projects failed: HTTP 500")
    }))

  it.effect("a RangeError while decoding (a stack overflow) is one line, not a defect", () =>
    Effect.gen(function*() {
      const http = yield* Effect.promise(() => import("../../src/internal/http.js"))
      const Schema = yield* Effect.promise(() => import("effect/Schema"))
      const overflowing = Schema.declare((_: unknown): _ is unknown => {
        throw new RangeError("Maximum call stack size exceeded")
      })
      const result = http.decodeValue(overflowing, {})
      assert.deepStrictEqual(result._tag === "Left" ? result.left : "decoded", "too deeply nested")
    }))

  it.effect("an error message that echoes the credential has it redacted, and its escapes removed", () =>
    Effect.gen(function*() {
      const key = "lk_sandbox_alice_all_8d3e6b0c51"
      const { api: platform } = yield* api([
        { method: "GET", url: "http://api.test/v1/me", respond: () => HttpStub.json(401, { message: `${ESC}unknown key ${key}` }) },
        { method: "GET", url: "http://api.test/v1/teams", respond: () => HttpStub.json(500, { error: `quota for ${key} exceeded\x1b[2J` }) }
      ])
      const rejected = yield* Effect.flip(platform.me(c))
      assert.strictEqual(rejected.message, "http://api.test rejected the credential (HTTP 401: unknown key [redacted])")
      const failed = yield* Effect.flip(platform.teams(c))
      assert.strictEqual(failed.message, "request to http://api.test/v1/teams failed: HTTP 500: quota for [redacted] exceeded")
    }))

  it.effect("an answer that carries the credential (credential.id = the token) has it redacted", () =>
    Effect.gen(function*() {
      const { api: platform } = yield* api([{
        method: "GET",
        url: "http://api.test/v1/me",
        respond: (request) =>
          HttpStub.json(200, { user: { id: "u", email: "u@x" }, credential: { type: "access_token", id: request.headers["authorization"]!.slice(7) } })
      }])
      const me = yield* platform.me(c)
      assert.strictEqual(me.credential.id, "[redacted]")
    }))

  it.effect("a credential with CR/LF, NUL or a space is refused before anything is sent, naming its source and never its value", () =>
    Effect.gen(function*() {
      const { api: platform, stub } = yield* api([])
      for (const bad of ["lk_abc\r\nX-Evil: 1", "lk_abc\x00def", "lk_abc def", "lk_abc\u00e9"]) {
        const error = yield* Effect.flip(platform.me({ apiUrl: "http://api.test", token: Redacted.make(bad), source: "the API key in LATCHKEY_API_KEY" }))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.strictEqual(
          error.message,
          "the API key in LATCHKEY_API_KEY contains characters that cannot be sent in an HTTP header (white space or control characters); it was not sent"
        )
        assert.isNull(CONTROLS.exec(error.message))
      }
      const unnamed = yield* Effect.flip(platform.teams({ apiUrl: "http://api.test", token: Redacted.make("a\nb") }))
      assert.include(unnamed.message, "the credential for http://api.test contains characters")
      assert.deepStrictEqual(stub.seen, [])
    }))

  it.effect("a transport error names the error code; a message that quotes the Authorization header has it redacted", () =>
    Effect.gen(function*() {
      const HttpClientError = yield* Effect.promise(() => import("@effect/platform/HttpClientError"))
      const { api: platform } = yield* api([{
        method: "GET",
        url: "http://api.test/v1/me",
        respond: (request) =>
          Effect.fail(new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new TypeError(`Headers.append: "${request.headers["authorization"]}" is an invalid header value`)
          }))
      }, {
        method: "GET",
        url: "http://api.test/v1/teams",
        respond: (request) =>
          Effect.fail(new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1 Bearer lk_x"), { code: "ECONNREFUSED" }) })
          }))
      }])
      const quoted = yield* Effect.flip(platform.me(c))
      assert.strictEqual(quoted.message, `request to http://api.test/v1/me failed: Headers.append: "[redacted]" is an invalid header value`)
      const refused = yield* Effect.flip(platform.teams(c))
      assert.strictEqual(refused.message, "request to http://api.test/v1/teams failed: ECONNREFUSED")
    }))
})
