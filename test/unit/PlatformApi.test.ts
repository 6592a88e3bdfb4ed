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

const alice = Redacted.make("lk_sandbox_alice_all_8d3e6b0c51")

describe("PlatformApi against the sandbox", () => {
  it.scoped("me, teams, projects and team projects decode", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ port: 0 })
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
      const sandbox = yield* Sandbox.make({ port: 0 })
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
      const sandbox = yield* Sandbox.make({ port: 0 })
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
