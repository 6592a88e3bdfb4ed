/**
 * `kill -9` mid-write: built-CLI writers are killed at random moments, wave after wave. The
 * config must always decode (old or new content, never torn), and the next write must leave no
 * residue — no temp file (some would hold a plaintext key), no lock claim — while every profile
 * the config names still has its secret.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"

const KEY = "lk_sandbox_alice_acme_4f1c9a7e2b"
const WAVES = 4
const PER_WAVE = 16

const sandbox = Subprocess.sandboxForFile()

const running = new Map<number, ChildProcess>()

/** Start the CLI and SIGKILL it after `afterMillis` unless it ended first; resolves to how it ended. */
const runAndKill = (args: ReadonlyArray<string>, env: Record<string, string>, afterMillis: number) =>
  new Promise<"killed" | "finished">((resolve) => {
    const child = Subprocess.track(spawn(process.execPath, [Subprocess.BIN, ...args], { env, stdio: "ignore" }))
    if (child.pid !== undefined) running.set(child.pid, child)
    const timer = setTimeout(() => child.kill("SIGKILL"), afterMillis)
    child.on("close", (_code, signal) => {
      clearTimeout(timer)
      if (child.pid !== undefined) running.delete(child.pid)
      resolve(signal === "SIGKILL" ? "killed" : "finished")
    })
  })

/**
 * Kill writers in the act: when a temp file or lock claim appears, its name gives the writer's
 * pid, which is then (more often than not) killed at once — while it holds the lock, or between
 * writing the temp file and renaming it.
 */
const killInTheAct = (dir: string) => {
  let inTheAct = 0
  const watcher = fs.watch(dir, (_event, name) => {
    const match = name === null ? null : /^\..+\.(?:lock\.[A-Za-z0-9_-]+\.)?(\d+)\.[0-9a-z]+(?:\.tmp)?$/.exec(name)
    const child = match ? running.get(Number(match[1])) : undefined
    if (child !== undefined && Math.random() < 0.6) {
      running.delete(child.pid!)
      child.kill("SIGKILL")
      inTheAct++
    }
  })
  return { stop: () => (watcher.close(), inTheAct) }
}

const decodes = (file: string) => {
  const config = JSON.parse(fs.readFileSync(file, "utf8"))
  assert.strictEqual(config.version, 1)
  assert.isObject(config.profiles)
  return config as { profiles: Record<string, { secretId: string; apiKey?: { storage: string } }> }
}

describe("kill -9 mid-write", () => {
  it(`${WAVES} waves of ${PER_WAVE} writers killed at random: never torn, and the next write leaves no residue`, async () => {
    const home = Subprocess.tempDir()
    const configDir = path.join(home, "cfg")
    const env = Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir, LATCHKEY_API_URL: sandbox.apiUrl })
    const first = await Subprocess.run(["auth", "set-key", KEY, "--profile", "before"], { env })
    assert.strictEqual(first.code, 0, first.stderr)
    const configFile = path.join(configDir, "config.json")
    const watcher = killInTheAct(configDir)
    let killed = 0
    let residue = 0
    let residueWithKey = 0
    for (let wave = 0; wave < WAVES; wave++) {
      const outcomes = await Promise.all(Array.from({ length: PER_WAVE }, (_, i) =>
        runAndKill(
          i % 4 === 3
            ? ["environments", "add", `e${wave}-${i}`, "--api-url", sandbox.apiUrl, "--no-probe"]
            : ["auth", "set-key", KEY, "--profile", `w${wave}-${i}`],
          env,
          // Those the watcher spares die at a random moment, or finish.
          300 + Math.floor(Math.random() * 3_000)
        )))
      killed += outcomes.filter((o) => o === "killed").length
      decodes(configFile)
      const left = fs.readdirSync(configDir).filter((n) => n !== "config.json" && n !== "secrets.json")
      residue += left.length
      residueWithKey += left.filter((n) => fs.readFileSync(path.join(configDir, n), "utf8").includes(KEY)).length
    }
    const inTheAct = watcher.stop()
    const last = await Subprocess.run(["auth", "set-key", KEY, "--profile", "after"], { env })
    assert.strictEqual(last.code, 0, last.stderr)
    const left = fs.readdirSync(configDir).sort()
    console.log(`crash test: ${WAVES * PER_WAVE} writers, ${killed} killed (${inTheAct} holding a lock or a temp file), ${residue} residue files seen between waves (${residueWithKey} holding the key), ${left.length - 2} left after the next write`)
    assert.deepStrictEqual(left, ["config.json", "secrets.json"], "no temp file or lock left")
    const config = decodes(configFile)
    const secrets = JSON.parse(fs.readFileSync(path.join(configDir, "secrets.json"), "utf8")).secrets as Record<string, string>
    // The secret is written before the profile that names it: a profile is never without its secret.
    for (const [name, profile] of Object.entries(config.profiles)) {
      assert.strictEqual(secrets[`${profile.secretId}/api-key`], KEY, `profile ${name} lost its secret`)
    }
    assert.isTrue(Object.hasOwn(config.profiles, "before") && Object.hasOwn(config.profiles, "after"))
    assert.notInclude(fs.readFileSync(configFile, "utf8"), KEY)
    assert.isAbove(inTheAct, 0, "some writers were killed mid-write")
  })
})
