/**
 * Secrets in a real OS keyring: Debian's gnome-keyring as the Secret Service, in the private
 * D-Bus session `npm test` starts (scripts/test.sh), checked with libsecret's `secret-tool`.
 * And the same CLI on a machine without D-Bus: the fallback is announced, the file is 0600.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"

const KEY = "lk_sandbox_alice_acme_4f1c9a7e2b"

let sandbox: Awaited<ReturnType<typeof Subprocess.startSandbox>>
let keyringEnv: Record<string, string>

beforeAll(async () => {
  Subprocess.assertBuilt()
  keyringEnv = Subprocess.secretServiceEnv()
  if (secretTool(["--version"], process.env).error) throw new Error("secret-tool is missing: apt-get install libsecret-tools")
  // Demo mode lets the device-flow test log in without a browser.
  sandbox = await Subprocess.startSandbox(["--interval", "1", "--approve-as", "alice@example.com", "--approve-after", "0"])
})
afterAll(() => sandbox?.stop())

const user = (extra: Record<string, string> = {}) => {
  const home = Subprocess.tempDir()
  const configDir = path.join(home, "cfg")
  const env = Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir, LATCHKEY_API_URL: sandbox.apiUrl, ...keyringEnv, ...extra })
  const cli = (...args: Array<string>) => Subprocess.run(args, { env })
  const profile = (name: string) => JSON.parse(fs.readFileSync(path.join(configDir, "config.json"), "utf8")).profiles[name]
  return { configDir, env, cli, profile }
}

/** libsecret's `secret-tool`, given 10 s: a keyring that stops answering fails the test, not the run. */
const secretTool = (args: Array<string>, env: NodeJS.ProcessEnv) =>
  spawnSync("secret-tool", args, { env, encoding: "utf8", timeout: 10_000 })

/** `secret-tool lookup`: the stored value, or null when there is none. */
const lookup = (env: Record<string, string>, account: string): string | null => {
  const r = secretTool(["lookup", "service", "latchkey", "username", account], env)
  return r.status === 0 ? r.stdout : null
}

/** Every file under `dir` whose bytes contain `needle`. */
const filesContaining = (dir: string, needle: string): Array<string> =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .filter((f) => fs.readFileSync(f).includes(needle))

describe("a real Secret Service", () => {
  it("set-key stores the key in the keyring, in no file, and logout deletes it", async () => {
    const { cli, configDir, env, profile } = user()
    const stored = await cli("auth", "set-key", KEY, "--profile", "k")
    assert.strictEqual(stored.code, 0, stored.stderr)
    assert.notInclude(stored.stderr, "plaintext", "no fallback, no plaintext")
    const { apiKey, secretId } = profile("k")
    assert.strictEqual(apiKey.storage, "keyring")
    assert.strictEqual(lookup(env, `${secretId}/api-key`), KEY, "secret-tool reads what latchkey wrote")
    assert.deepStrictEqual(filesContaining(configDir, KEY), [], "the key is in no file under the config dir")

    const status = await cli("auth", "status")
    assert.strictEqual(status.code, 0, status.stderr)
    assert.include(status.stdout, "Storage:     keyring — OS keyring (Secret Service)")
    const get = await cli("auth", "get", "k", "-o", "json")
    assert.strictEqual(JSON.parse(get.stdout).storage, "keyring")

    const out = await cli("auth", "logout", "k")
    assert.strictEqual(out.code, 0, out.stderr)
    assert.isNull(lookup(env, `${secretId}/api-key`), "gone from the keyring after logout")
  })

  it("a keyring entry already gone is not an error at logout", async () => {
    const { cli, env, profile } = user()
    assert.strictEqual((await cli("auth", "set-key", KEY, "--profile", "gone")).code, 0)
    const { secretId } = profile("gone")
    const cleared = secretTool(["clear", "service", "latchkey", "username", `${secretId}/api-key`], env)
    assert.strictEqual(cleared.status, 0, cleared.stderr)
    const out = await cli("auth", "logout", "gone")
    assert.strictEqual(out.code, 0, out.stderr)
  })

  it("--insecure-storage chooses the file; migrate-secrets moves it into the keyring and back", async () => {
    const { cli, configDir, env, profile } = user()
    const stored = await cli("auth", "set-key", KEY, "--profile", "m", "--insecure-storage")
    assert.strictEqual(stored.code, 0, stored.stderr)
    assert.strictEqual(profile("m").apiKey.storage, "file")
    const { secretId } = profile("m")
    assert.isNull(lookup(env, `${secretId}/api-key`))
    assert.deepStrictEqual(filesContaining(configDir, KEY), [path.join(configDir, "secrets.json")])

    const toKeyring = await cli("auth", "migrate-secrets", "--to", "keyring")
    assert.strictEqual(toKeyring.code, 0, toKeyring.stderr)
    assert.include(toKeyring.stdout, "moved from file to keyring")
    assert.strictEqual(lookup(env, `${secretId}/api-key`), KEY)
    assert.deepStrictEqual(filesContaining(configDir, KEY), [])
    assert.strictEqual(profile("m").apiKey.storage, "keyring")
    assert.strictEqual((await cli("auth", "print-token", "--profile", "m")).stdout.trim(), KEY)

    const toFile = await cli("auth", "migrate-secrets", "--to", "file")
    assert.strictEqual(toFile.code, 0, toFile.stderr)
    assert.isNull(lookup(env, `${secretId}/api-key`))
    assert.deepStrictEqual(filesContaining(configDir, KEY), [path.join(configDir, "secrets.json")])
  })

  it("a device-flow session's tokens live in the keyring, and a refresh rewrites them there", async () => {
    const { cli, configDir, env, profile } = user()
    const login = await cli("auth", "login", "--team", "acme")
    assert.strictEqual(login.code, 0, login.stderr)
    const { secretId, session } = profile("alice@example.com")
    assert.strictEqual(session.storage, "keyring")
    const tokens = JSON.parse(lookup(env, `${secretId}/session`) ?? "null")
    assert.isString(tokens.refreshToken)
    assert.deepStrictEqual(filesContaining(configDir, tokens.accessToken), [])
    assert.strictEqual((await cli("auth", "print-token")).stdout.trim(), tokens.accessToken)
    assert.strictEqual((await cli("auth", "refresh")).code, 0)
    const refreshed = JSON.parse(lookup(env, `${secretId}/session`) ?? "null")
    assert.notStrictEqual(refreshed.refreshToken, tokens.refreshToken)
    assert.strictEqual((await cli("auth", "logout")).code, 0)
    assert.isNull(lookup(env, `${secretId}/session`))
  })
})

describe("without D-Bus", () => {
  it("an API-key login still succeeds, with the fallback announced, and the file is 0600", async () => {
    const { cli, configDir } = user({ DBUS_SESSION_BUS_ADDRESS: "" })
    const r = await cli("auth", "set-key", KEY)
    assert.strictEqual(r.code, 0, r.stderr)
    const warning = r.stderr.split("\n").find((l) => l.includes("the OS keyring is not available"))
    assert.isDefined(warning, r.stderr)
    assert.include(warning, `storing the credential in plaintext in ${path.join(configDir, "secrets.json")} instead`)
    // One announcement, before writing: no second line about plaintext after the login.
    assert.strictEqual(r.stderr.split("plaintext").length - 1, 1, r.stderr)
    assert.strictEqual(fs.statSync(path.join(configDir, "secrets.json")).mode & 0o777, 0o600)
    const status = await cli("auth", "status")
    assert.include(status.stdout, "Storage:     file (plaintext)")
  })
})
