/**
 * The built CLI against a hostile OpenID provider (test/support/HostileIssuer.ts, a real server on
 * 127.0.0.1): out-of-range numbers, token types other than Bearer, refusals latchkey used to retry,
 * HTML and empty bodies, escape-laden text and malformed answers holding secrets. Every refused
 * login ends with exactly one `latchkey: …` line and a non-zero exit, shows no escape sequence and
 * no secret, and stores nothing.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as HostileIssuer from "../support/HostileIssuer.js"
import * as Subprocess from "../support/Subprocess.js"

let issuer: Awaited<ReturnType<typeof HostileIssuer.start>>

/** A fresh HOME with the hostile environment added and current. */
const freshHome = async () => {
  const home = Subprocess.tempDir()
  const configDir = path.join(home, "cfg")
  const env = Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir })
  const cli = (...args: Array<string>) => Subprocess.run(args, { env })
  const added = await cli("environments", "add", "hostile", "--api-url", issuer.url, "--issuer", issuer.url, "--client-id", HostileIssuer.CLIENT_ID, "--no-probe")
  assert.strictEqual(added.code, 0, added.stderr)
  const used = await cli("environments", "use", "hostile")
  assert.strictEqual(used.code, 0, used.stderr)
  const readJson = (name: string): Record<string, unknown> | undefined => {
    const file = path.join(configDir, name)
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined
  }
  return {
    cli,
    profiles: () => (readJson("config.json")?.["profiles"] ?? {}) as Record<string, unknown>,
    secrets: () => (readJson("secrets.json")?.["secrets"] ?? {}) as Record<string, string>
  }
}

let home: Awaited<ReturnType<typeof freshHome>>

// C0 controls other than the newline, DEL, C1 controls (ESC and CSI among them), bidi overrides.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

/** The checks every refused login must pass; returns the one `latchkey:` line. */
const refused = (
  result: Subprocess.Result,
  expected: { readonly code: number; readonly secrets?: ReadonlyArray<string> }
) => {
  const lines = result.stderr.split("\n").filter((l) => l.startsWith("latchkey:"))
  assert.strictEqual(result.code, expected.code, result.stderr)
  assert.strictEqual(lines.length, 1, `one latchkey: line, got:\n${result.stderr}`)
  assert.notMatch(result.stderr, CONTROL, "no control character or escape sequence on stderr")
  assert.notMatch(result.stdout, CONTROL, "no control character or escape sequence on stdout")
  assert.notInclude(result.stderr, "unexpected error")
  for (const secret of ["dc-hostile-1", "SECRET", ...(expected.secrets ?? [])]) {
    assert.notInclude(result.stderr, secret)
    assert.notInclude(result.stdout, secret)
  }
  return lines[0]!
}

const nothingStored = () => {
  assert.deepStrictEqual(home.profiles(), {})
  assert.deepStrictEqual(home.secrets(), {})
}

const login = async (scenario: HostileIssuer.Scenario) => {
  issuer.use(scenario)
  return home.cli("auth", "login", "--no-browser")
}

/** A device authorization that asks to poll at once and expires soon: a retried refusal would show within seconds. */
const shortLived = (overrides: Record<string, unknown> = {}) => (base: string) => ({
  status: 200,
  json: { ...HostileIssuer.goodAuthorization(base), expires_in: 6, ...overrides }
})

beforeAll(async () => {
  Subprocess.assertBuilt()
  issuer = await HostileIssuer.start()
  home = await freshHome()
}, 30_000)

afterAll(async () => {
  await issuer?.stop()
})

describe("hostile issuer: numbers out of range (refused before polling)", () => {
  for (const interval of [0, -5]) {
    it(`interval ${interval}`, async () => {
      const result = await login({ deviceAuthorization: shortLived({ interval }) })
      const line = refused(result, { code: 1 })
      assert.include(line, "interval must be an integer number of seconds from 1 to 60 (RFC 8628 §3.2)")
      assert.strictEqual(issuer.polls(), 0)
      nothingStored()
    }, 30_000)
  }

  it("device code expires_in 1e9", async () => {
    const result = await login({ deviceAuthorization: shortLived({ expires_in: 1e9 }) })
    const line = refused(result, { code: 1 })
    assert.include(line, "expires_in must be an integer number of seconds from 1 to 3600 (RFC 8628 §3.2)")
    assert.strictEqual(issuer.polls(), 0)
    nothingStored()
  }, 30_000)
})

describe("hostile issuer: token responses latchkey cannot use", () => {
  it("token_type mac", async () => {
    const result = await login({
      deviceAuthorization: shortLived(),
      polls: [{ status: 200, json: { access_token: "SECRET-AT-MAC", token_type: "mac", expires_in: 3600, refresh_token: "SECRET-RT-MAC" } }]
    })
    const line = refused(result, { code: 1 })
    assert.include(line, "token_type must be Bearer")
    assert.strictEqual(issuer.polls(), 1)
    nothingStored()
  }, 30_000)

  it("access-token expires_in 1e308", async () => {
    const result = await login({
      deviceAuthorization: shortLived(),
      polls: [{ status: 200, json: { access_token: "SECRET-AT-HUGE", token_type: "Bearer", expires_in: 1e308, refresh_token: "SECRET-RT-HUGE" } }]
    })
    const line = refused(result, { code: 1 })
    assert.include(line, "expires_in must be an integer number of seconds from 1 to 31536000")
    assert.strictEqual(issuer.polls(), 1)
    nothingStored()
  }, 30_000)

  it("an access token with CR/LF is refused at decode, never sent, never shown", async () => {
    const result = await login({
      deviceAuthorization: shortLived(),
      polls: [{ status: 200, json: { access_token: "SECRET-AT\r\nX-Injected: 1", token_type: "Bearer", expires_in: 3600 } }]
    })
    const line = refused(result, { code: 1 })
    assert.include(line, "access_token must be")
    assert.isFalse(issuer.requests.some((r) => r.path.startsWith("/v1/")), "no request carried the token")
    nothingStored()
  }, 30_000)

  it("a malformed token response holding secrets shows none of them", async () => {
    const result = await login({
      deviceAuthorization: shortLived(),
      polls: [{ status: 200, json: { access_token: { value: "SECRET-AT-OBJECT" }, token_type: "Bearer", refresh_token: "SECRET-RT-OBJECT", id_token: "SECRET-ID" } }]
    })
    const line = refused(result, { code: 1 })
    assert.include(line, "access_token must be")
    nothingStored()
  }, 30_000)

  it("a malformed device authorization with a secret-looking device_code does not show it", async () => {
    const result = await login({
      deviceAuthorization: (base) => ({
        status: 200,
        json: { ...HostileIssuer.goodAuthorization(base), device_code: "SECRET-DEVICE-CODE-7f3a9", expires_in: "600" }
      })
    })
    const line = refused(result, { code: 1 })
    assert.include(line, "expires_in must be an integer number of seconds")
    assert.strictEqual(issuer.polls(), 0)
    nothingStored()
  }, 30_000)
})

describe("hostile issuer: refusals while polling stop the login at once (RFC 8628 §3.5)", () => {
  it("403 unauthorized_client: one poll", async () => {
    const result = await login({
      deviceAuthorization: shortLived(),
      polls: [{ status: 403, json: { error: "unauthorized_client", error_description: "the device grant is disabled for this client (code dc-hostile-1)" } }]
    })
    const line = refused(result, { code: 1 })
    // The description echoed the device code: it is not shown.
    assert.strictEqual(line, "latchkey: the provider refused the login: unauthorized_client (the device grant is disabled for this client (code [redacted]))")
    assert.strictEqual(issuer.polls(), 1)
    nothingStored()
  }, 30_000)

  it("an HTML 4xx page: one poll, its words, not \"code expired\"", async () => {
    const result = await login({
      deviceAuthorization: shortLived(),
      polls: [{ status: 400, text: "<!doctype html><html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p>nginx</p></body></html>" }]
    })
    const line = refused(result, { code: 1 })
    assert.strictEqual(line, "latchkey: the provider refused the login: HTTP 400: 400 Bad Request Bad Request nginx")
    assert.strictEqual(issuer.polls(), 1)
    nothingStored()
  }, 30_000)

  it("an escape-laden error_description (and user code) reaches the terminal clean", async () => {
    const result = await login({
      deviceAuthorization: shortLived({ user_code: "\u001b]0;owned\u0007WDJB-\u001b[2JMJHT" }),
      polls: [{
        status: 400,
        json: { error: "policy\u001b[31m_violation", error_description: "\u001b]0;pwned\u0007\u001b[2J\u001b[1;31mcontact\u009b7m your \u202eadmin" }
      }]
    })
    const line = refused(result, { code: 1 })
    assert.strictEqual(line, "latchkey: the provider refused the login: policy_violation (contact your admin)")
    assert.include(result.stderr, "WDJB-MJHT")
    nothingStored()
  }, 30_000)

  it("5xx is retried: 503, then tokens, and the login completes", async () => {
    const fresh = await freshHome()
    issuer.use({ polls: [{ status: 503, text: "<h1>busy</h1>" }, "tokens"] })
    const result = await fresh.cli("auth", "login", "--no-browser")
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(issuer.polls(), 2)
    assert.deepStrictEqual(Object.keys(fresh.profiles()), ["mallory@example.com"])
  }, 30_000)
})

describe("hostile issuer: a logged-in session", () => {
  let session: Awaited<ReturnType<typeof freshHome>>

  beforeAll(async () => {
    session = await freshHome()
    issuer.use({})
    const result = await session.cli("auth", "login", "--no-browser")
    assert.strictEqual(result.code, 0, result.stderr)
  }, 30_000)

  it("a refresh answered 400 with an empty body: session expired, exit 4, the session left as it was", async () => {
    const before = session.secrets()
    issuer.use({ refresh: { status: 400, text: "", contentType: "text/plain" } })
    const result = await session.cli("auth", "refresh")
    const line = refused(result, { code: 4, secrets: ["hostile-rt-", "hostile-at-"] })
    assert.strictEqual(line, "latchkey: session expired, run `latchkey auth login --profile mallory@example.com`")
    assert.deepStrictEqual(session.secrets(), before)
  }, 30_000)

  it("revocation refused with 401 by a provider that revokes only for confidential clients: the warning says so", async () => {
    issuer.use({
      metadata: { revocation_endpoint_auth_methods_supported: ["client_secret_basic"] },
      revoke: { status: 401, json: { error: "invalid_client" } }
    })
    const result = await session.cli("auth", "logout")
    const line = refused(result, { code: 0, secrets: ["hostile-rt-", "hostile-at-"] })
    assert.strictEqual(
      line,
      "latchkey: warning: could not revoke the session at the provider: the provider only revokes tokens for confidential clients (revocation_endpoint_auth_methods_supported: client_secret_basic); the session was removed locally but its tokens stay valid until they expire"
    )
    assert.deepStrictEqual(session.profiles(), {})
    assert.deepStrictEqual(session.secrets(), {})
  }, 30_000)
})
