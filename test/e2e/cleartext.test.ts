/**
 * The built CLI refuses to send a credential in cleartext to another host, and refuses names
 * that are not names, with one line, exit 2, and the config file untouched. No network: every
 * refusal happens before anything is contacted.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, beforeAll, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"

beforeAll(() => Subprocess.assertBuilt())

const user = (extra: Record<string, string> = {}) => {
  const home = Subprocess.tempDir()
  const configDir = path.join(home, "cfg")
  const env = Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir, ...extra })
  const file = path.join(configDir, "config.json")
  return { file, cli: (...args: Array<string>) => Subprocess.run(args, { env }), read: () => fs.readFileSync(file) }
}

describe("the built CLI", () => {
  it("environments add --api-url http://api.example.com: exit 2, one line and where the usage is, config.json unchanged; --allow-http stores the opt-in", async () => {
    const u = user()
    const local = await u.cli("environments", "add", "local", "--api-url", "http://127.0.0.1:1", "--no-probe")
    assert.strictEqual(local.code, 0, local.stderr)
    const before = u.read()
    const refused = await u.cli("environments", "add", "prod", "--api-url", "http://api.example.com")
    assert.deepStrictEqual([refused.code, refused.stdout], [2, ""])
    assert.strictEqual(
      refused.stderr,
      `latchkey: --api-url "http://api.example.com" is plain http to another host, which would send credentials in cleartext; use https, or add the environment with --allow-http\nRun 'latchkey environments add --help' for usage.\n`
    )
    assert.isTrue(u.read().equals(before), "config.json changed")
    const allowed = await u.cli("environments", "add", "prod", "--api-url", "http://api.example.com", "--allow-http", "--no-probe", "-o", "json")
    assert.strictEqual(allowed.code, 0, allowed.stderr)
    assert.deepStrictEqual(JSON.parse(u.read().toString("utf8")).environments.prod, { apiUrl: "http://api.example.com", allowHttp: true })
  })

  it("auth use toString is no profile (exit 1); auth use __proto__ is a usage error (exit 2); config.json unchanged and still usable", async () => {
    const u = user()
    assert.strictEqual((await u.cli("environments", "add", "local", "--api-url", "http://127.0.0.1:1", "--no-probe")).code, 0)
    const before = u.read()
    const missing = await u.cli("auth", "use", "toString")
    assert.deepStrictEqual([missing.code, missing.stderr], [1, "latchkey: no profile named toString (see `latchkey auth list`)\n"])
    const bad = await u.cli("auth", "use", "__proto__")
    assert.strictEqual(bad.code, 2)
    assert.match(bad.stderr, /^latchkey: invalid profile name "__proto__": profile names are [^\n]+\nRun 'latchkey auth use --help' for usage\.\n$/)
    assert.isTrue(u.read().equals(before), "config.json changed")
    const after = await u.cli("environments", "get", "-o", "json")
    assert.strictEqual(after.code, 0, after.stderr)
  })
})
