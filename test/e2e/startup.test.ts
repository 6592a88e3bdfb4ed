/**
 * The code-cache launcher (bin/latchkey) must never change what a command does: every hot
 * command gives byte-identical output and exit code with no cache, a cold cache, a warm cache, a
 * corrupt cache, a stale cache (valid data for other code) and an unwritable cache directory.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as vm from "node:vm"
import { assert, beforeAll, describe, it } from "vitest"
import * as BenchConfig from "../../scripts/bench-config.mjs"
import * as Subprocess from "../support/Subprocess.js"

const hot: Array<{ name: string; args: Array<string>; env?: Record<string, string> }> = [
  { name: "auth status --offline", args: ["auth", "status", "--offline"] },
  { name: "auth print-token", args: ["auth", "print-token"], env: { LATCHKEY_PROFILE: "session" } },
  { name: "auth list", args: ["auth", "list"] },
  { name: "--help", args: ["--help"] },
  { name: "--version", args: ["--version"] }
]

const home = Subprocess.tempDir()
const configDir = path.join(home, "cfg")

beforeAll(() => {
  Subprocess.assertBuilt()
  BenchConfig.write(configDir)
})

const run = async (c: (typeof hot)[number], extra: Record<string, string>) => {
  const r = await Subprocess.run(c.args, {
    env: Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir, LATCHKEY_CODE_CACHE_DEBUG: "1", ...c.env, ...extra })
  })
  const [state, ...rest] = r.stderr.split("\n")
  return { code: r.code, stdout: r.stdout, stderr: rest.join("\n"), state: state!.replace("code cache: ", "") }
}

describe("the code-cache launcher", () => {
  for (const c of hot) {
    it(`${c.name}: identical with no, cold, warm, corrupt, stale and unwritable caches`, async () => {
      const reference = await run(c, { LATCHKEY_CODE_CACHE: "0" })
      assert.strictEqual(reference.state, "off")
      assert.strictEqual(reference.code, 0, reference.stderr)
      const cacheHome = Subprocess.tempDir()
      const same = (r: Awaited<ReturnType<typeof run>>, label: string) =>
        assert.deepStrictEqual([r.code, r.stdout, r.stderr], [reference.code, reference.stdout, reference.stderr], label)

      const cold = await run(c, { XDG_CACHE_HOME: cacheHome })
      assert.strictEqual(cold.state, "miss")
      same(cold, "cold")
      const files = fs.readdirSync(path.join(cacheHome, "latchkey"))
      assert.strictEqual(files.length, 1, "the cache was written at exit")
      const cacheFile = path.join(cacheHome, "latchkey", files[0]!)
      assert.match(files[0]!, new RegExp(`^code-${process.version}-${process.arch}-\\d+-\\d+\\.bin$`))
      assert.strictEqual(fs.statSync(cacheFile).mode & 0o777, 0o600)

      const warm = await run(c, { XDG_CACHE_HOME: cacheHome })
      assert.strictEqual(warm.state, "hit")
      same(warm, "warm")

      fs.writeFileSync(cacheFile, Buffer.from("definitely not V8 code cache data"))
      const corrupt = await run(c, { XDG_CACHE_HOME: cacheHome })
      assert.strictEqual(corrupt.state, "rejected")
      same(corrupt, "corrupt")
      assert.strictEqual((await run(c, { XDG_CACHE_HOME: cacheHome })).state, "hit", "rewritten after the rejection")

      fs.writeFileSync(cacheFile, new vm.Script("1 + 1").createCachedData())
      const stale = await run(c, { XDG_CACHE_HOME: cacheHome })
      assert.strictEqual(stale.state, "rejected")
      same(stale, "stale")

      const blocked = path.join(cacheHome, "a-file")
      fs.writeFileSync(blocked, "")
      const unwritable = await run(c, { XDG_CACHE_HOME: blocked })
      assert.strictEqual(unwritable.state, "miss")
      same(unwritable, "unwritable")
    })
  }
})
