/** The built CLI, as a user runs it, against the sandbox: API-key authentication end to end. */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"
import { ALICE_ACME, BOB } from "../support/SandboxKeys.js"

const sandbox = Subprocess.sandboxForFile()

/** A fresh user: temporary HOME and config dir, the sandbox as API. */
const user = (extra: Record<string, string> = {}) => {
  const { configDir, env, home } = Subprocess.newUser({ LATCHKEY_API_URL: sandbox.apiUrl, ...extra })
  const cli = (...args: Array<string>) => Subprocess.run(args, { env })
  return { home, configDir, env, cli }
}

describe("latchkey sandbox", () => {
  it("prints one JSON line with its API URL, which answers the contract", async () => {
    assert.match(sandbox.apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(`${sandbox.apiUrl}/v1/cli/config`)
    assert.deepStrictEqual(await response.json(), { issuer: sandbox.issuer, clientId: "latchkey-cli" })
    assert.match(sandbox.issuer ?? "", /^http:\/\/127\.0\.0\.1:\d+$/)
    const discovery = await (await fetch(`${sandbox.issuer}/.well-known/openid-configuration`)).json()
    assert.strictEqual(discovery.device_authorization_endpoint, `${sandbox.issuer}/device/auth`)
    assert.strictEqual((await fetch(`${sandbox.apiUrl}/v1/me`)).status, 401)
  })

  it("--fixtures loads users, teams, projects and keys from a file; a broken file is one line and exit 1", async () => {
    const dir = Subprocess.tempDir()
    const file = path.join(dir, "fixtures.json")
    fs.writeFileSync(file, JSON.stringify({
      users: [{ id: "u1", email: "carol@example.org", name: "Carol", password: "pw" }],
      teams: [{ id: "t1", slug: "lab", name: "The Lab", members: ["u1"] }],
      projects: [{ id: "p1", name: "Experiment", teamId: "t1" }],
      apiKeys: [{ id: "k1", key: "lk_custom_carol_123456", name: "carol", userId: "u1", teams: ["t1"] }]
    }))
    const custom = await Subprocess.startSandbox(["--fixtures", file])
    try {
      const { cli } = user({ LATCHKEY_API_URL: custom.apiUrl })
      const result = await cli("auth", "set-key", "lk_custom_carol_123456", "-o", "json")
      assert.strictEqual(result.code, 0, result.stderr)
      assert.deepStrictEqual([JSON.parse(result.stdout).user.email, JSON.parse(result.stdout).project.id], ["carol@example.org", "p1"])
    } finally {
      await custom.stop()
    }
    fs.writeFileSync(file, JSON.stringify({ users: [], teams: [{ id: "t", slug: "t", name: "t", members: ["ghost"] }], projects: [], apiKeys: [] }))
    const broken = await Subprocess.run(["sandbox", "--port", "0", "--fixtures", file], { env: Subprocess.baseEnv() })
    assert.strictEqual(broken.code, 1)
    assert.strictEqual(broken.stderr.trim().split("\n").length, 1)
    assert.include(broken.stderr, "unknown member ghost")
  })
})

describe("API-key flow, end to end", () => {
  it("set-key → status → list → use → logout", async () => {
    const { cli, configDir, env } = user()
    let r = await cli("auth", "set-key", ALICE_ACME)
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(r.stdout.trim(), "Logged in as alice@example.com (Acme Research) as profile alice-key-7e2b")
    // Plaintext storage is announced, with the file and why, once.
    assert.include(r.stderr, `latchkey: storing the credential in plaintext (mode 0600) in ${path.join(configDir, "secrets.json")} (LATCHKEY_KEYRING=0)`)
    assert.strictEqual(r.stderr.split("plaintext").length - 1, 1, r.stderr)

    r = await cli("auth", "status")
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, `Logged in to ${sandbox.apiUrl} as alice@example.com`)
    assert.include(r.stdout, `file (plaintext) — ${path.join(configDir, "secrets.json")}`)
    assert.notInclude(r.stdout + r.stderr, ALICE_ACME)

    r = await cli("auth", "login", "--with-api-key", "--profile", "bob", "--no-switch")
    assert.strictEqual(r.code, 2, "empty standard input is a usage error")
    assert.include(r.stderr, "no API key on standard input")
    r = await Subprocess.run(["auth", "login", "--with-api-key", "--profile", "bob", "--no-switch"], { env, stdin: `${BOB}\n` })
    assert.strictEqual(r.code, 0, r.stderr)

    r = await cli("auth", "list", "-o", "json")
    assert.strictEqual(r.code, 0, r.stderr)
    assert.deepStrictEqual(JSON.parse(r.stdout).map((p: { name: string; current: boolean }) => [p.name, p.current]), [["alice-key-7e2b", true], ["bob", false]])

    r = await cli("auth", "use", "bob")
    assert.strictEqual(r.code, 0, r.stderr)
    r = await cli("auth", "status", "-o", "json")
    assert.strictEqual(JSON.parse(r.stdout).user.email, "bob@example.com")

    r = await cli("auth", "logout")
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(r.stdout.trim(), "Logged out bob")
    assert.notInclude(fs.readFileSync(path.join(configDir, "secrets.json"), "utf8"), BOB)

    r = await cli("auth", "status")
    assert.strictEqual(r.code, 1)
    assert.include(r.stderr, "not logged in")
    assert.strictEqual(r.stderr.trim().split("\n").length, 1)
  })

  it("a bad key: non-zero, one line, nothing stored", async () => {
    const { cli, configDir } = user()
    const r = await cli("auth", "set-key", "lk_sandbox_alice_revoked_0b5e1d9f7a")
    assert.strictEqual(r.code, 4)
    assert.strictEqual(r.stderr.trim().split("\n").length, 1)
    assert.include(r.stderr, "rejected the credential")
    assert.strictEqual(r.stdout, "")
    assert.isFalse(fs.existsSync(path.join(configDir, "secrets.json")))
    const list = await cli("auth", "list", "-o", "json")
    assert.deepStrictEqual(JSON.parse(list.stdout), [])
  })

  it("a corrupt config file is left byte for byte unchanged", async () => {
    const { cli, configDir } = user()
    fs.mkdirSync(configDir, { recursive: true })
    const file = path.join(configDir, "config.json")
    const garbage = Buffer.from('{"version": 1, "profiles": {"x": \x00\xff broken', "latin1")
    fs.writeFileSync(file, garbage)
    for (const args of [["auth", "set-key", ALICE_ACME], ["auth", "list"], ["auth", "status"], ["auth", "logout", "x"]]) {
      const r = await cli(...args)
      assert.strictEqual(r.code, 1, args.join(" "))
      assert.strictEqual(r.stderr.trim().split("\n").length, 1, r.stderr)
      assert.include(r.stderr, file)
      assert.isTrue(fs.readFileSync(file).equals(garbage), `${args.join(" ")} changed the file`)
    }
    assert.isFalse(fs.existsSync(path.join(configDir, "secrets.json")), "the key was not stored either")
  })

  it("files are 0600 and the directory 0700 under umask 000", async () => {
    const { configDir, env } = user()
    const r = await Subprocess.run(["auth", "set-key", ALICE_ACME], { env, shell: "umask 000" })
    assert.strictEqual(r.code, 0, r.stderr)
    const mode = (p: string) => fs.statSync(p).mode & 0o777
    assert.strictEqual(mode(configDir), 0o700)
    assert.strictEqual(mode(path.join(configDir, "config.json")), 0o600)
    assert.strictEqual(mode(path.join(configDir, "secrets.json")), 0o600)
    assert.deepStrictEqual(fs.readdirSync(configDir).sort(), ["config.json", "secrets.json"])
  })

  it("20 concurrent processes each adding a profile leave all 20", async () => {
    const { cli, configDir, env } = user()
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        Subprocess.run(["auth", "login", "--with-api-key", "--profile", `p${String(i).padStart(2, "0")}`, "--no-switch"], { env, stdin: ALICE_ACME }))
    )
    for (const r of results) assert.strictEqual(r.code, 0, r.stderr)
    const list = await cli("auth", "list", "-o", "json")
    const names = JSON.parse(list.stdout).map((p: { name: string }) => p.name)
    assert.deepStrictEqual(names, Array.from({ length: 20 }, (_, i) => `p${String(i).padStart(2, "0")}`))
    const secrets = JSON.parse(fs.readFileSync(path.join(configDir, "secrets.json"), "utf8")).secrets
    assert.strictEqual(Object.keys(secrets).length, 20)
    assert.deepStrictEqual(fs.readdirSync(configDir).sort(), ["config.json", "secrets.json"], "no lock or temp file left")
  })

  it("without LATCHKEY_CONFIG_DIR: $XDG_CONFIG_HOME/latchkey, else ~/.config/latchkey", async () => {
    const home = Subprocess.tempDir()
    const xdg = path.join(home, "xdg")
    let r = await Subprocess.run(["auth", "set-key", ALICE_ACME], { env: Subprocess.baseEnv({ HOME: home, XDG_CONFIG_HOME: xdg, LATCHKEY_API_URL: sandbox.apiUrl }) })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.isTrue(fs.existsSync(path.join(xdg, "latchkey", "config.json")))
    r = await Subprocess.run(["auth", "set-key", ALICE_ACME], { env: Subprocess.baseEnv({ HOME: home, LATCHKEY_API_URL: sandbox.apiUrl }) })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.isTrue(fs.existsSync(path.join(home, ".config", "latchkey", "config.json")))
  })

  it("a relative XDG_CONFIG_HOME is ignored, as the XDG spec says: ~/.config/latchkey", async () => {
    const home = Subprocess.tempDir()
    const env = Subprocess.baseEnv({ HOME: home, XDG_CONFIG_HOME: "rel", LATCHKEY_API_URL: sandbox.apiUrl })
    const r = await Subprocess.run(["auth", "set-key", ALICE_ACME], { env, shell: `cd '${home}'` })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.isTrue(fs.existsSync(path.join(home, ".config", "latchkey", "config.json")))
    assert.isFalse(fs.existsSync(path.join(home, "rel")))
  })

  it("usage errors exit 2; --help and --version exit 0", async () => {
    const { cli } = user()
    assert.strictEqual((await cli("auth", "token")).code, 2)
    assert.strictEqual((await cli("auth", "status", "-o", "xml")).code, 2)
    const version = await cli("--version")
    assert.strictEqual(version.code, 0)
    assert.strictEqual(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(Subprocess.ROOT, "package.json"), "utf8")).version)
    const help = await cli("auth", "--help")
    assert.strictEqual(help.code, 0)
    assert.include(help.stdout, "set-key")
  })
})
