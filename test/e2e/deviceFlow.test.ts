/**
 * Device-flow login end to end: the built CLI against the sandbox's real OpenID provider
 * (oidc-provider), approved in real Chromium (Debian's, driven by playwright-core), then the
 * session's life: status, print-token, a forced refresh, sixteen processes racing to refresh an
 * expired token, and logout, after which the provider refuses the refresh token.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { chromium, type BrowserContext } from "playwright-core"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"

let sandbox: Awaited<ReturnType<typeof Subprocess.startSandbox>>
let browser: BrowserContext
const home = Subprocess.tempDir()
const configDir = path.join(home, "cfg")
let env: Record<string, string>

const stats = async () => (await fetch(`${sandbox.apiUrl}/_sandbox/stats`)).json() as Promise<Record<string, number>>
const cli = (...args: Array<string>) => Subprocess.run(args, { env })

/** The session entry in the plaintext secrets file (the file store is in use here). */
const sessionSecret = () => {
  const file = path.join(configDir, "secrets.json")
  const secrets = JSON.parse(fs.readFileSync(file, "utf8")).secrets as Record<string, string>
  const [account, value] = Object.entries(secrets).find(([k]) => k.endsWith("/session"))!
  return {
    account,
    tokens: JSON.parse(value) as { accessToken: string; refreshToken: string; expiresAt: number },
    write: (tokens: object) => {
      secrets[account] = JSON.stringify(tokens)
      fs.writeFileSync(file, JSON.stringify({ version: 1, secrets }))
    }
  }
}

const tokenRequest = async (params: Record<string, string>) => {
  const response = await fetch(`${sandbox.issuer}/token`, { method: "POST", body: new URLSearchParams(params) })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

beforeAll(async () => {
  Subprocess.assertBuilt()
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`)
  sandbox = await Subprocess.startSandbox(["--interval", "1"])
  env = Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir, LATCHKEY_API_URL: sandbox.apiUrl })
  // Chromium writes outside its profile too: keep it in temporary dirs.
  const browserHome = Subprocess.tempDir()
  browser = await chromium.launchPersistentContext(path.join(browserHome, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    env: { ...Subprocess.baseEnv(), HOME: browserHome, XDG_CONFIG_HOME: path.join(browserHome, "config"), XDG_CACHE_HOME: path.join(browserHome, "cache") },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
  })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await sandbox?.stop()
})

describe("device flow, approved in Chromium", () => {
  let login: ChildProcess
  let loginDone: Promise<{ code: number | null; stdout: string; stderr: string }>
  let approvedAt = 0
  let url = ""

  it("auth login prints the code and URL, then waits", async () => {
    login = Subprocess.track(spawn(process.execPath, [Subprocess.BIN, "auth", "login", "--no-browser", "--team", "Globex Corporation"], { env }))
    login.stdin!.end()
    let stdout = ""
    let stderr = ""
    login.stdout!.on("data", (d) => (stdout += d))
    login.stderr!.on("data", (d) => (stderr += d))
    loginDone = new Promise((resolve) => login.on("close", (code) => resolve({ code, stdout, stderr })))
    const deadline = Date.now() + 15_000
    while (!stderr.includes("Waiting for approval") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    assert.match(stderr, /! First copy your one-time code: [A-Z]{4}-[A-Z]{4}/)
    assert.include(stderr, "Waiting for approval")
    url = /or open (http\S+user_code=[A-Z-]+)/.exec(stderr)![1]!
    assert.include(url, sandbox.issuer!)
  })

  it("the user approves in the browser; the CLI stores the session at once", async () => {
    // Let the CLI poll a few times first, so the provider's early-poll check has something to judge.
    await new Promise((r) => setTimeout(r, 2500))
    const page = await browser.newPage()
    await page.goto(url, { waitUntil: "domcontentloaded" })
    // oidc-provider's confirmation page, with the code pre-filled from verification_uri_complete.
    await page.click("button[autofocus]")
    await page.waitForSelector("input[name=login]")
    await page.fill("input[name=login]", "alice@example.com")
    await page.fill("input[name=password]", "wrong")
    await page.click("button[type=submit]")
    await page.waitForSelector("[role=alert]")
    assert.include(await page.textContent("[role=alert]"), "wrong password")
    await page.fill("input[name=login]", "alice@example.com")
    await page.fill("input[name=password]", "alice-password")
    approvedAt = Date.now()
    await page.click("button[type=submit]")
    await page.waitForSelector("text=Sign-in Success", { timeout: 15_000 })
    const result = await loginDone
    const storedAfter = (Date.now() - approvedAt) / 1000
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(result.stdout.trim(), "Logged in as alice@example.com (Globex Corporation) as profile alice@example.com")
    const s = await stats()
    console.log(`device flow: ${s["devicePolls"]} polls, ${s["earlyPolls"]} early, ${s["pollsAfterSuccess"]} after success; session stored ${storedAfter.toFixed(2)} s after approval`)
    assert.strictEqual(s["earlyPolls"], 0, "never polls before the interval")
    assert.strictEqual(s["pollsAfterSuccess"], 0, "never polls after the tokens arrived")
    assert.isAtLeast(s["devicePolls"]!, 3, "pending polls before the approval")
    // Interval 1 s: the CLI picks the tokens up within about one interval of the approval.
    assert.isBelow(storedAfter, 4)
    await page.close()
  })

  it("status shows the session; print-token gives a token the platform accepts", async () => {
    const status = await cli("auth", "status", "-o", "json")
    assert.strictEqual(status.code, 0, status.stderr)
    const view = JSON.parse(status.stdout)
    assert.deepStrictEqual([view.method, view.user.email, view.team.slug, view.project.id], ["session", "alice@example.com", "globex", "prj_globex_api"])
    const printed = await cli("auth", "print-token")
    assert.strictEqual(printed.code, 0, printed.stderr)
    const token = printed.stdout.trim()
    assert.strictEqual(token, sessionSecret().tokens.accessToken)
    const me = await fetch(`${sandbox.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } })
    assert.strictEqual(me.status, 200)
    // The sandbox names the credential by a digest, never by the token itself (issue 9 §5).
    const answer = await me.json() as { credential: { id: string } }
    assert.match(answer.credential.id, /^at_[0-9a-f]{16}$/)
    assert.notInclude(JSON.stringify(answer), token)
    assert.notInclude(fs.readFileSync(path.join(configDir, "config.json"), "utf8"), token, "no token in the profile file")
  })

  // (Reusing the old refresh token here would make oidc-provider revoke the whole grant; logout checks refusal.)
  it("a forced refresh rotates both tokens", async () => {
    const before = sessionSecret().tokens
    const refreshesBefore = (await stats())["refreshGrants"]!
    const r = await cli("auth", "refresh")
    assert.strictEqual(r.code, 0, r.stderr)
    const after = sessionSecret().tokens
    assert.notStrictEqual(after.accessToken, before.accessToken)
    assert.notStrictEqual(after.refreshToken, before.refreshToken)
    assert.strictEqual((await stats())["refreshGrants"], refreshesBefore + 1)
    const printed = await cli("auth", "print-token")
    assert.strictEqual(printed.stdout.trim(), after.accessToken)
  })

  it("16 concurrent print-token on an expired access token: one refresh at the provider, all succeed, the grant survives", async () => {
    const secret = sessionSecret()
    secret.write({ ...secret.tokens, expiresAt: Date.now() - 1000 })
    const before = await stats()
    const results = await Promise.all(Array.from({ length: 16 }, () => cli("auth", "print-token")))
    for (const r of results) assert.strictEqual(r.code, 0, r.stderr)
    const tokens = new Set(results.map((r) => r.stdout.trim()))
    assert.strictEqual(tokens.size, 1, "every process got the same, refreshed token")
    assert.notInclude([...tokens], secret.tokens.accessToken)
    const after = await stats()
    assert.strictEqual(after["refreshGrants"]! - before["refreshGrants"]!, 1, "exactly one refresh reached the provider")
    assert.strictEqual(after["refreshFailures"], before["refreshFailures"])
    // The grant survived: the session still works, and refreshes again.
    assert.strictEqual((await cli("auth", "whoami")).code, 0)
    assert.strictEqual((await cli("auth", "refresh")).code, 0)
  })

  it("logout revokes the refresh token at the provider and removes the profile", async () => {
    const { refreshToken } = sessionSecret().tokens
    const r = await cli("auth", "logout")
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(r.stdout.trim(), "Logged out alice@example.com (session revoked)")
    assert.isAtLeast((await stats())["revocations"]!, 1)
    const reuse = await tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: sandbox.clientId ?? "latchkey-cli" })
    assert.strictEqual(reuse.status, 400)
    assert.strictEqual(reuse.body["error"], "invalid_grant")
    assert.strictEqual((await cli("auth", "status")).code, 1)
  })
})
