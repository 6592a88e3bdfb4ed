/**
 * The built CLI's command line as a shell sees it: the launcher keeps Node's hands off
 * latchkey's arguments (`--env-file`, nodejs/node#54232), help in a pipe, usage errors, globals
 * before the verb.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, beforeAll, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"

beforeAll(() => Subprocess.assertBuilt())

/** Run bin/latchkey as a shell would: the kernel reads its `#!` line. */
const exec = (args: ReadonlyArray<string>, env: Record<string, string> = {}, cwd?: string) =>
  new Promise<Subprocess.Result>((resolve, reject) => {
    const child = Subprocess.track(spawn(Subprocess.BIN, args, { env: Subprocess.baseEnv({ HOME: Subprocess.tempDir(), ...env }), cwd }))
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end()
  })

describe("the launcher", () => {
  it("a trailing --env-file is latchkey's, not Node's: no file is loaded, latchkey answers", async () => {
    const dir = Subprocess.tempDir()
    // A file Node would load (Node 20 loads it, then runs latchkey with the key set).
    fs.writeFileSync(path.join(dir, "present.env"), "LATCHKEY_API_KEY=lk_from_env_file_123456\n")
    for (const file of ["missing.env", "present.env"]) {
      const r = await exec(["auth", "status", "--offline", "--env-file", file], {}, dir)
      assert.notStrictEqual(r.code, 9, r.stderr)
      assert.notMatch(r.stderr, /^node:/m)
      assert.match(r.stderr, /^latchkey: /, r.stderr)
      assert.notInclude(r.stdout + r.stderr, "3456")
    }
  })
})

describe("the command line, end to end", () => {
  it("help in a pipe: no escape codes, 80 columns; FORCE_COLOR forces colour; NO_COLOR wins", async () => {
    const plain = await exec(["auth", "login", "--help"])
    assert.strictEqual(plain.code, 0)
    assert.notInclude(plain.stdout, "\x1b")
    for (const line of plain.stdout.split("\n")) assert.isAtMost(line.length, 80)
    assert.include(plain.stdout, "USAGE\n  latchkey auth login [options]")
    const forced = await exec(["auth", "login", "--help"], { FORCE_COLOR: "1" })
    assert.include(forced.stdout, "\x1b[1mUSAGE")
    const both = await exec(["auth", "login", "--help"], { FORCE_COLOR: "1", NO_COLOR: "1" })
    assert.notInclude(both.stdout, "\x1b")
  })

  it("a misspelled verb: did you mean, exit 2, on stderr", async () => {
    const r = await exec(["auth", "lgoin"])
    assert.strictEqual(r.code, 2)
    assert.strictEqual(r.stdout, "")
    assert.match(r.stderr, /^latchkey: unknown command 'lgoin' for 'latchkey auth'; did you mean 'login'\?\n/)
    assert.match(r.stderr, /\nRun 'latchkey auth --help' for usage\.\n$/)
  })

  it("a usage error is two lines and exit 2", async () => {
    const r = await exec(["auth", "status", "--output"])
    assert.deepStrictEqual([r.code, r.stdout, r.stderr], [
      2,
      "",
      "latchkey: --output needs a value (text|json|yaml|jsonl|none)\nRun 'latchkey auth status --help' for usage.\n"
    ])
  })

  it("global options before the verb; --version is one line", async () => {
    const r = await exec(["-o", "json", "auth", "status"])
    assert.strictEqual(r.code, 1)
    assert.deepStrictEqual(Object.keys(JSON.parse(r.stdout)), ["authenticated", "reason"])
    const v = await exec(["--version"])
    assert.match(v.stdout, /^\d+\.\d+\.\d+\S*\n$/)
  })

})
