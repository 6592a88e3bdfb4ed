/**
 * The built CLI reading an API key from standard input (`auth set-key -`, `auth token --api-key -`)
 * against the sandbox: the key never appears in the process's command line, which any local user
 * can read in /proc/<pid>/cmdline.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { assert, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"
import { ALICE_ACME, BOB } from "../support/SandboxKeys.js"

const sandbox = Subprocess.sandboxForFile()

const user = () => {
  const { env } = Subprocess.newUser({ LATCHKEY_API_URL: sandbox.apiUrl })
  return { env, cli: (stdin: string, ...args: Array<string>) => Subprocess.run(args, { env, stdin }) }
}

/** Like Subprocess.run, for input the CLI may stop reading: the broken pipe is expected. */
const feed = (stdin: string, args: Array<string>, env: Record<string, string>) =>
  new Promise<Subprocess.Result>((resolve) => {
    const child = Subprocess.track(spawn(process.execPath, [Subprocess.BIN, ...args], { env }))
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.stdin.on("error", () => {})
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })

describe("a key piped in", () => {
  it("set-key -: stored and used; the key is nowhere in the command line while it runs", async () => {
    const { cli, env } = user()
    const child = Subprocess.track(spawn(process.execPath, [Subprocess.BIN, "auth", "set-key", "-"], { env }))
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    const done = new Promise<number | null>((resolve) => child.on("close", resolve))
    // While it waits for standard input, its argv is what another user would see.
    const cmdline = fs.readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0")
    assert.includeMembers(cmdline, ["auth", "set-key", "-"])
    assert.notInclude(cmdline.join(" "), ALICE_ACME)
    child.stdin.end(`${ALICE_ACME}\n`)
    assert.strictEqual(await done, 0, stderr)
    assert.include(stdout, "Logged in as alice@example.com (Acme Research) as profile alice-key-7e2b")
    const status = await cli("", "auth", "status", "-o", "json")
    assert.strictEqual(status.code, 0, status.stderr)
    assert.strictEqual(JSON.parse(status.stdout).maskedKey, "lk_****7e2b")
  })

  it("token --api-key -: the same, with --project", async () => {
    const { cli } = user()
    const r = await cli(`${BOB}\n`, "auth", "token", "--api-key", "-", "--project", "prj_initech_tps", "--profile", "ci")
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, "bob@example.com")
  })

  it("nothing piped in: exit 2, one line and where the usage is; more than 1 MiB: refused", async () => {
    const { cli, env } = user()
    const empty = await cli("", "auth", "set-key", "-")
    assert.strictEqual(empty.code, 2)
    assert.strictEqual(empty.stderr.trim(), "latchkey: set-key - found no API key on standard input\nRun 'latchkey auth set-key --help' for usage.")
    const huge = await feed(`${ALICE_ACME}\n${"x".repeat(2 * 1024 * 1024)}`, ["auth", "set-key", "-"], env)
    assert.strictEqual(huge.code, 1)
    assert.include(huge.stderr, "standard input is larger than 1 MiB")
    assert.notInclude(huge.stderr, ALICE_ACME)
  })
})
