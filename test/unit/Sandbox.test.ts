/**
 * The sandbox in process: its brand-neutral options (client id, title, key prefix) and the flat
 * API shape, which must serve the same data as the contract shape with only the wrapping changed.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import { ALICE_ALL, ALICE_REVOKED, LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

const ACME = { port: 0, clientId: "acme-cli", title: "Acme" } as const

const get = (url: string, token?: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
    return { status: response.status, body: await response.json() as unknown }
  })

const ENDPOINTS = ["/v1/me", "/v1/teams", "/v1/projects", "/v1/teams/team_globex/projects"]

describe("the flat API shape", () => {
  it.scoped("serves the contract's data, unwrapped: /v1/me is the user, the lists are bare arrays", () =>
    Effect.gen(function*() {
      const contract = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const flat = yield* Sandbox.make({ ...LATCHKEY_SANDBOX, apiShape: "flat" })
      const c = (p: string) => get(`${contract.apiUrl}${p}`, ALICE_ALL)
      const f = (p: string) => get(`${flat.apiUrl}${p}`, ALICE_ALL)

      const me = yield* f("/v1/me")
      assert.strictEqual(me.status, 200)
      const alice = contract.fixtures.users.find((u) => u.id === "usr_alice")!
      assert.deepStrictEqual(me.body, { id: alice.id, email: alice.email, name: alice.name })
      assert.deepStrictEqual(me.body, ((yield* c("/v1/me")).body as { user: unknown }).user)

      const teams = yield* f("/v1/teams")
      assert.strictEqual(teams.status, 200)
      assert.isArray(teams.body)
      assert.deepStrictEqual(teams.body, ((yield* c("/v1/teams")).body as { teams: unknown }).teams)
      assert.deepStrictEqual((teams.body as Array<{ slug: string }>).map((t) => t.slug), ["acme", "globex"])

      for (const p of ["/v1/projects", "/v1/teams/team_globex/projects"]) {
        const projects = yield* f(p)
        assert.strictEqual(projects.status, 200, p)
        assert.isArray(projects.body, p)
        assert.isAbove((projects.body as Array<unknown>).length, 0, p)
        assert.deepStrictEqual(projects.body, ((yield* c(p)).body as { projects: unknown }).projects, p)
      }
      assert.deepStrictEqual(
        ((yield* f("/v1/teams/team_globex/projects")).body as Array<{ id: string; teamId: string }>).map((p) => [p.id, p.teamId]),
        [["prj_globex_api", "team_globex"]]
      )
      // /v1/cli/config is the same in both shapes.
      assert.deepStrictEqual((yield* get(`${flat.apiUrl}/v1/cli/config`)).body, { issuer: flat.issuer, clientId: "latchkey-cli" })
    }))

  it.scoped("answers 401 without a credential or with a revoked key, and 404 for another team, as the contract does", () =>
    Effect.gen(function*() {
      const contract = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const flat = yield* Sandbox.make({ ...LATCHKEY_SANDBOX, apiShape: "flat" })
      for (const p of ENDPOINTS) {
        for (const token of [undefined, ALICE_REVOKED, "lk_unknown"]) {
          const answer = yield* get(`${flat.apiUrl}${p}`, token)
          assert.strictEqual(answer.status, 401, `${p} ${token}`)
          assert.deepStrictEqual(answer, yield* get(`${contract.apiUrl}${p}`, token), `${p} ${token}`)
        }
      }
      const other = yield* get(`${flat.apiUrl}/v1/teams/team_initech/projects`, ALICE_ALL)
      assert.strictEqual(other.status, 404)
      assert.deepStrictEqual(other, yield* get(`${contract.apiUrl}/v1/teams/team_initech/projects`, ALICE_ALL))
    }))
})

/** A cookie jar just big enough to walk oidc-provider's device pages. */
const browser = () => {
  const cookies = new Map<string, string>()
  const request = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") }
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";")
      const at = pair!.indexOf("=")
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1))
    }
    return { status: response.status, location: response.headers.get("location"), html: await response.text() }
  }
  return { request }
}

const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1]

describe("the sandbox's options", () => {
  it.scoped("a sandbox made for acme-cli announces that client, its provider accepts it, and every page carries the title", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(ACME)
      assert.strictEqual(sandbox.clientId, "acme-cli")
      assert.deepStrictEqual((yield* get(`${sandbox.apiUrl}/v1/cli/config`)).body, { issuer: sandbox.issuer, clientId: "acme-cli" })

      const authorize = (clientId: string) =>
        Effect.promise(async () => {
          const response = await fetch(`${sandbox.issuer}/device/auth`, {
            method: "POST",
            body: new URLSearchParams({ client_id: clientId, scope: "openid offline_access" })
          })
          return { status: response.status, body: await response.json() as Record<string, string> }
        })
      const accepted = yield* authorize("acme-cli")
      assert.strictEqual(accepted.status, 200, JSON.stringify(accepted.body))
      assert.match(accepted.body["user_code"]!, /^[A-Z]{4}-[A-Z]{4}$/)
      const refused = yield* authorize("latchkey-cli")
      assert.strictEqual(refused.status, 401)
      assert.strictEqual(refused.body["error"], "invalid_client")

      const pages = yield* Effect.promise(async () => {
        const b = browser()
        const base = sandbox.issuer!
        /** Submit the page's first form as a browser would (its action and hidden fields), following redirects. */
        const submit = async (html: string) => {
          const action = /<form[^>]*action="([^"]+)"/.exec(html)![1]!
          const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])
          let next = await b.request(new URL(action, base).href, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams(fields).toString()
          })
          while (next.status >= 300 && next.status < 400 && next.location) next = await b.request(new URL(next.location, base).href)
          return next
        }
        const input = await b.request(accepted.body["verification_uri"]!)
        // verification_uri_complete answers oidc-provider's self-submitting form (CSRF), which leads to the confirmation.
        const confirm = await submit((await b.request(accepted.body["verification_uri_complete"]!)).html)
        const login = await submit(confirm.html)
        // The input form with no code in it: the page again, saying so.
        const wrongCode = await submit(input.html)
        // oidc-provider's error page, for a client it does not know.
        const error = await b.request(`${base}/auth?client_id=nobody&response_type=code&scope=openid`)
        return { input, confirm, login, wrongCode, error }
      })
      assert.strictEqual(title(pages.input.html), "Enter your code · Acme")
      assert.strictEqual(title(pages.confirm.html), "Confirm your device · Acme")
      assert.include(pages.confirm.html, `<code>${accepted.body["user_code"]}</code>`)
      assert.strictEqual(pages.login.status, 200)
      assert.strictEqual(title(pages.login.html), "Sign in to Acme · Acme")
      assert.include(pages.login.html, `<input name="login"`)
      assert.strictEqual(title(pages.wrongCode.html), "Enter your code · Acme")
      assert.include(pages.wrongCode.html, `role="alert"`)
      assert.strictEqual(title(pages.error.html), "Something went wrong · Acme")
      assert.include(pages.error.html, "invalid_client")
      for (const [name, page] of Object.entries(pages)) {
        assert.notInclude(page.html.toLowerCase(), "latchkey", name)
        assert.notMatch(page.html, /https?:\/\/(?!127\.0\.0\.1)/, `${name} loads nothing from elsewhere`)
      }
    }))

  it.scoped("the built-in fixtures' keys start with keyPrefix, and only those keys work", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ ...ACME, keyPrefix: "sk-inference-" })
      assert.isTrue(sandbox.fixtures.apiKeys.every((k) => k.key.startsWith("sk-inference-sandbox_")))
      const suffix = ALICE_ALL.slice("lk_".length)
      assert.strictEqual((yield* get(`${sandbox.apiUrl}/v1/me`, `sk-inference-${suffix}`)).status, 200)
      assert.strictEqual((yield* get(`${sandbox.apiUrl}/v1/me`, ALICE_ALL)).status, 401)
      const plain = yield* Sandbox.make(ACME)
      assert.strictEqual((yield* get(`${plain.apiUrl}/v1/me`, suffix)).status, 200, "no prefix by default")
    }))

  it.scoped("options that would make a broken sandbox are refused, each with its rule, before anything listens", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Sandbox.make({ port: 70000, clientId: "acme cli", title: "\u001b[31mAcme", keyPrefix: "sk inference" })
      )
      assert.strictEqual(
        error.message,
        `invalid sandbox options: client id: ${Sandbox.CLIENT_ID_RULE}; title: ${Sandbox.TITLE_RULE}; ` +
          "key prefix: at most 32 characters among letters, digits and . _ ~ + / -; port: 0 to 65535"
      )
      assert.include((yield* Effect.flip(Sandbox.make({ ...ACME, title: " " }))).message, "title:")
      assert.include((yield* Effect.flip(Sandbox.make({ ...ACME, clientId: "x".repeat(65) }))).message, "client id:")
    }))
})

describe("oidc-provider stays out of a CLI's way", () => {
  it("only the sandbox's Issuer.load imports it at run time; everything else imports its types at most", () => {
    const root = path.join(import.meta.dirname, "..", "..", "src")
    // `[^"']*?` keeps a match inside one statement: no string literal lies between `import` and `from`.
    const files = (fs.readdirSync(root, { recursive: true }) as Array<string>).filter((f) => f.endsWith(".ts"))
    const runtime: Array<string> = []
    for (const file of files) {
      const text = fs.readFileSync(path.join(root, file), "utf8")
      for (const m of text.matchAll(/(import\s+type\s[^"']*?from\s*|import\s[^"']*?from\s*|import\(\s*|require\(\s*)["']oidc-provider[^"']*["']/g)) {
        if (!/^import\s+type\b/.test(m[0])) runtime.push(`${file}: ${m[0].replace(/\s+/g, " ")}`)
      }
    }
    assert.isAbove(runtime.length, 0, "the scan finds the loader")
    assert.deepStrictEqual([...new Set(runtime.map((r) => r.split(":")[0]))], [path.join("sandbox", "Issuer.ts")], runtime.join("\n"))
    // In Issuer.ts the run-time references are inside `load`, which only Sandbox.make calls.
    const issuer = fs.readFileSync(path.join(root, "sandbox", "Issuer.ts"), "utf8")
    const load = issuer.slice(issuer.indexOf("export const load"), issuer.indexOf("export type Loaded"))
    assert.strictEqual(runtime.length, [...load.matchAll(/(import\(|require\()"oidc-provider/g)].length)
  })
})
