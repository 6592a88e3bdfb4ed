/**
 * `latchkey sandbox` as another brand's tests run it: the flat API shape, another client id,
 * title and key prefix; its bad options; and a CLI installed without oidc-provider, which works
 * until someone starts its sandbox.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { ALICE_ALL } from "../support/SandboxKeys.js"
import * as Subprocess from "../support/Subprocess.js"

const get = async (url: string, token?: string) => {
  const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
  return { status: response.status, body: await response.json() as unknown }
}

describe("latchkey sandbox --api-shape flat", () => {
  let flat: Subprocess.Sandbox
  beforeAll(async () => {
    Subprocess.assertBuilt()
    flat = await Subprocess.startSandbox(["--api-shape", "flat"])
  }, 40_000)
  afterAll(() => flat?.stop())

  it("prints its ready line and answers bare arrays and a bare user to a fixture key", async () => {
    assert.deepStrictEqual(JSON.parse(flat.line), { apiUrl: flat.apiUrl, issuer: flat.issuer, clientId: "latchkey-cli" })
    const teams = await get(`${flat.apiUrl}/v1/teams`, ALICE_ALL)
    assert.strictEqual(teams.status, 200)
    assert.deepStrictEqual(teams.body, [
      { id: "team_acme", slug: "acme", name: "Acme Research" },
      { id: "team_globex", slug: "globex", name: "Globex Corporation" }
    ])
    assert.deepStrictEqual((await get(`${flat.apiUrl}/v1/me`, ALICE_ALL)).body, {
      id: "usr_alice",
      email: "alice@example.com",
      name: "Alice Example"
    })
    assert.deepStrictEqual((await get(`${flat.apiUrl}/v1/teams/team_globex/projects`, ALICE_ALL)).body, [
      { id: "prj_globex_api", name: "Globex API", teamId: "team_globex" }
    ])
    assert.strictEqual((await get(`${flat.apiUrl}/v1/teams`)).status, 401)
  })
})

describe("latchkey sandbox for another brand", () => {
  it("--client-id, --title and --key-prefix: the client announced and accepted, the title on its pages, the keys with the prefix", async () => {
    const acme = await Subprocess.startSandbox(["--api-shape", "flat", "--client-id", "acme-cli", "--title", "Acme", "--key-prefix", "sk-inference-"])
    try {
      assert.strictEqual(acme.clientId, "acme-cli")
      assert.deepStrictEqual((await get(`${acme.apiUrl}/v1/cli/config`)).body, { issuer: acme.issuer, clientId: "acme-cli" })
      const key = `sk-inference-${ALICE_ALL.slice("lk_".length)}`
      assert.isArray((await get(`${acme.apiUrl}/v1/projects`, key)).body)
      assert.strictEqual((await get(`${acme.apiUrl}/v1/projects`, ALICE_ALL)).status, 401)
      const device = await fetch(`${acme.issuer}/device/auth`, { method: "POST", body: new URLSearchParams({ client_id: "acme-cli", scope: "openid" }) })
      assert.strictEqual(device.status, 200)
      const { verification_uri } = await device.json() as { verification_uri: string }
      const page = await (await fetch(verification_uri)).text()
      assert.include(page, "<title>Enter your code · Acme</title>")
    } finally {
      await acme.stop()
    }
  })

  it("bad options are one line on stderr (and the usage hint for a usage error) and a non-zero exit", async () => {
    const env = Subprocess.baseEnv({ HOME: Subprocess.tempDir() })
    const dir = Subprocess.tempDir()
    const fixtures = path.join(dir, "fixtures.json")
    fs.writeFileSync(fixtures, JSON.stringify({ users: [], teams: [], projects: [], apiKeys: [] }))
    const cases: Array<[Array<string>, number, RegExp]> = [
      [["--title", "\u001b[31mAcme"], 1, /^latchkey: invalid sandbox options: title: 1 to 80 printable characters\n$/],
      [["--client-id", "acme cli"], 1, /^latchkey: invalid sandbox options: client id: 1 to 64 characters among letters, digits and \. _ -\n$/],
      [["--key-prefix", "sk inference"], 1, /^latchkey: invalid sandbox options: key prefix: /],
      [["--key-prefix", "ak_", "--fixtures", fixtures], 1, /^latchkey: a key prefix is for the built-in fixtures: a fixtures file's keys are its own\n$/],
      [["--api-shape", "nested"], 2, /^latchkey: --api-shape must be one of contract, flat, not 'nested'\nRun 'latchkey sandbox --help' for usage\.\n$/]
    ]
    for (const [args, code, stderr] of cases) {
      const result = await Subprocess.run(["sandbox", "--port", "0", ...args], { env })
      assert.strictEqual(result.code, code, `${args.join(" ")}: ${result.stderr}`)
      assert.match(result.stderr, stderr, args.join(" "))
      assert.strictEqual(result.stdout, "", args.join(" "))
    }
  })
})

describe("a CLI installed without oidc-provider", () => {
  /** The built CLI beside a node_modules that has every package but oidc-provider. */
  const install = () => {
    const root = Subprocess.tempDir()
    fs.mkdirSync(path.join(root, "bin"))
    fs.mkdirSync(path.join(root, "dist"))
    fs.mkdirSync(path.join(root, "node_modules"))
    fs.copyFileSync(Subprocess.BIN, path.join(root, "bin", "latchkey"))
    fs.copyFileSync(path.join(Subprocess.ROOT, "dist", "latchkey.cjs"), path.join(root, "dist", "latchkey.cjs"))
    fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ type: "module" }))
    const modules = fs.realpathSync(path.join(Subprocess.ROOT, "node_modules"))
    for (const name of fs.readdirSync(modules)) {
      if (name !== "oidc-provider") fs.symlinkSync(path.join(modules, name), path.join(root, "node_modules", name))
    }
    return path.join(root, "bin", "latchkey")
  }
  const run = (bin: string, args: Array<string>, env: Record<string, string>) =>
    new Promise<Subprocess.Result>((resolve) => {
      const child = Subprocess.track(spawn(process.execPath, ["--", bin, ...args], { env }))
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (d) => (stdout += d))
      child.stderr.on("data", (d) => (stderr += d))
      child.on("close", (code) => resolve({ code, stdout, stderr }))
      child.stdin.end()
    })

  let sandbox: Subprocess.Sandbox
  beforeAll(async () => {
    Subprocess.assertBuilt()
    sandbox = await Subprocess.startSandbox()
  }, 40_000)
  afterAll(() => sandbox?.stop())

  it("logs in with a key and shows its status; only `sandbox` fails, with one line naming the package", async () => {
    const bin = install()
    const { env } = Subprocess.newUser({ LATCHKEY_API_URL: sandbox.apiUrl })
    const login = await run(bin, ["auth", "set-key", ALICE_ALL], env)
    assert.strictEqual(login.code, 0, login.stderr)
    const status = await run(bin, ["auth", "status", "-o", "json"], env)
    assert.strictEqual(status.code, 0, status.stderr)
    assert.strictEqual(JSON.parse(status.stdout).user.email, "alice@example.com")
    const started = await run(bin, ["sandbox", "--port", "0"], env)
    assert.strictEqual(started.code, 1)
    assert.match(started.stderr, /^latchkey: the sandbox needs the oidc-provider package, which did not load \([^\n]*\)\n$/)
    assert.strictEqual(started.stdout, "")
  })
})
