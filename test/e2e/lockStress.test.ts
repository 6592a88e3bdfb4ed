/**
 * The cross-process lock under load, on real files: 48 built-CLI processes of mixed verbs run at
 * once against one config directory, five rounds, the later ones after a planted stale, empty or
 * future-dated lock. Nothing may be lost: every created profile is there with its secret, every
 * logged-out profile is gone with its secret, every added environment is there, and no lock or
 * temp file is left.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"
import * as files from "../../src/internal/files.js"

const KEY = "lk_sandbox_alice_acme_4f1c9a7e2b"
const PROJECT = "prj_acme_web"
const ROUNDS = 5
const LOGOUTS_PER_ROUND = 4
const USE_TARGETS = 8

let sandbox: Awaited<ReturnType<typeof Subprocess.startSandbox>>
let configDir: string
let env: Record<string, string>

/** Everything the rounds so far asked for, to check against the files. */
const expected = { created: new Set<string>(), loggedOut: new Map<string, string>(), environments: new Set<string>() }
const figures: Array<string> = []

const configFile = () => path.join(configDir, "config.json")
const secretsFile = () => path.join(configDir, "secrets.json")
const seedSecretId = (name: string) => `seed-${name}`

/** Profiles written directly, as a previous run would have left them: use and logout targets. */
const seed = () => {
  const now = new Date().toISOString()
  const names = [
    ...Array.from({ length: USE_TARGETS }, (_, i) => `use-${i}`),
    ...Array.from({ length: ROUNDS * LOGOUTS_PER_ROUND }, (_, i) => `gone-${i}`)
  ]
  const profile = (name: string) => ({
    environment: "default",
    apiUrl: sandbox.apiUrl,
    secretId: seedSecretId(name),
    user: { id: "usr_alice", email: "alice@example.com" },
    apiKey: { storage: "file", hint: "lk_****seed" },
    createdAt: now,
    updatedAt: now
  })
  fs.mkdirSync(configDir, { recursive: true, mode: 0o700 })
  fs.writeFileSync(configFile(), JSON.stringify({
    version: 1,
    currentEnvironment: "default",
    currentProfile: null,
    environments: { default: { apiUrl: sandbox.apiUrl } },
    profiles: Object.fromEntries(names.map((n) => [n, profile(n)]))
  }), { mode: 0o600 })
  fs.writeFileSync(secretsFile(), JSON.stringify({
    version: 1,
    secrets: Object.fromEntries(names.map((n) => [`${seedSecretId(n)}/api-key`, `lk_seed_${n}`]))
  }), { mode: 0o600 })
}

/** A pid that certainly ran and certainly ended. */
const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!

const setTimes = (file: string, offsetMillis: number) => {
  const at = new Date(Date.now() + offsetMillis)
  fs.utimesSync(file, at, at)
}

/** Locks a crashed or foreign writer could leave: this version's claims and the fixed name of earlier versions. */
const plant: Record<string, () => void | (() => void)> = {
  none: () => {},
  /**
   * A holder that dies while everyone waits: all 48 then find its lock stale at once — the
   * thundering herd in which breaking a lock check-then-act removes a fresh one.
   */
  dying: () => {
    const holder = Subprocess.track(spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" }))
    const pid = holder.pid!
    for (const base of ["config.json", "secrets.json"]) {
      fs.writeFileSync(path.join(configDir, `.${base}.lock.${hostTag()}.${pid}.0a0b0c0d0e0f0102`), "")
      fs.writeFileSync(path.join(configDir, `${base}.lock`), JSON.stringify({ pid, at: Date.now() }))
    }
    return () => holder.kill("SIGKILL")
  },
  stale: () => {
    const pid = deadPid()
    for (const base of ["config.json", "secrets.json"]) {
      const claim = path.join(configDir, `.${base}.lock.elsewhere_host.${pid}.0123456789abcdef`)
      fs.writeFileSync(claim, "")
      setTimes(claim, -3_600_000) // another host's claim: only its age can tell, and it is an hour old
      const own = path.join(configDir, `.${base}.lock.${hostTag()}.${pid}.fedcba9876543210`)
      fs.writeFileSync(own, "")
      fs.writeFileSync(path.join(configDir, `${base}.lock`), JSON.stringify({ pid, at: 0 }))
      setTimes(path.join(configDir, `${base}.lock`), -3_600_000)
    }
  },
  empty: () => {
    // A crash between creating the lock file and writing it.
    for (const base of ["config.json", "secrets.json"]) fs.writeFileSync(path.join(configDir, `${base}.lock`), "")
  },
  future: () => {
    const pid = deadPid()
    for (const base of ["config.json", "secrets.json"]) {
      const legacy = path.join(configDir, `${base}.lock`)
      fs.writeFileSync(legacy, "garbage")
      setTimes(legacy, 3_600_000)
      const claim = path.join(configDir, `.${base}.lock.${hostTag()}.${pid}.00112233445566ff`)
      fs.writeFileSync(claim, "")
      setTimes(claim, 3_600_000)
    }
  }
}
/** The host part of this machine's claims. */
const hostTag = () => files.HOST


const PLANTS: ReadonlyArray<string> = ["none", "dying", "stale", "empty", "future"]
/** How long the dying holder lives after the writers started: most of them are waiting by then. */
const DYING_AFTER_MS = 3_000

beforeAll(async () => {
  Subprocess.assertBuilt()
  sandbox = await Subprocess.startSandbox()
  const home = Subprocess.tempDir()
  configDir = path.join(home, "cfg")
  env = Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir, LATCHKEY_API_URL: sandbox.apiUrl })
  seed()
})
afterAll(async () => {
  await sandbox?.stop()
  if (figures.length > 0) console.log(figures.join("\n"))
})

/** 48 writers: 32 creating profiles (three verbs), 8 `auth use`, 4 `environments add`, 4 `auth logout`. */
const writers = (round: number) => {
  const calls: Array<{ args: Array<string>; stdin?: string }> = []
  for (let i = 0; i < 32; i++) {
    const name = `r${round}-p${String(i).padStart(2, "0")}`
    expected.created.add(name)
    if (i % 3 === 0) calls.push({ args: ["auth", "login", "--with-api-key", "--profile", name, "--no-switch"], stdin: KEY })
    else if (i % 3 === 1) calls.push({ args: ["auth", "set-key", KEY, "--profile", name] })
    else calls.push({ args: ["auth", "token", "--api-key", KEY, "--project", PROJECT, "--profile", name] })
  }
  for (let i = 0; i < USE_TARGETS; i++) calls.push({ args: ["auth", "use", `use-${i}`] })
  for (let i = 0; i < 4; i++) {
    const name = `env-${round}-${i}`
    expected.environments.add(name)
    calls.push({ args: ["environments", "add", name, "--api-url", sandbox.apiUrl, "--no-probe"] })
  }
  for (let i = 0; i < LOGOUTS_PER_ROUND; i++) {
    const name = `gone-${round * LOGOUTS_PER_ROUND + i}`
    expected.loggedOut.set(name, seedSecretId(name))
    calls.push({ args: ["auth", "logout", name] })
  }
  return calls
}

/** Every way the files can disagree with what the writers did, one line each. */
const losses = (): Array<string> => {
  const lost: Array<string> = []
  const config = JSON.parse(fs.readFileSync(configFile(), "utf8"))
  const secrets = JSON.parse(fs.readFileSync(secretsFile(), "utf8")).secrets as Record<string, string>
  for (const name of expected.created) {
    const profile = Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined
    if (profile === undefined) lost.push(`profile ${name} missing`)
    else if (secrets[`${profile.secretId}/api-key`] !== KEY) lost.push(`profile ${name} has no secret`)
  }
  for (const [name, secretId] of expected.loggedOut) {
    if (Object.hasOwn(config.profiles, name)) lost.push(`logged-out profile ${name} is back`)
    if (Object.hasOwn(secrets, `${secretId}/api-key`)) lost.push(`logged-out profile ${name} left its secret`)
  }
  for (const name of expected.environments) {
    if (!Object.hasOwn(config.environments, name)) lost.push(`environment ${name} missing`)
  }
  for (let i = 0; i < USE_TARGETS; i++) {
    if (!Object.hasOwn(config.profiles, `use-${i}`)) lost.push(`profile use-${i} missing`)
  }
  const residue = fs.readdirSync(configDir).filter((n) => n !== "config.json" && n !== "secrets.json")
  if (residue.length > 0) lost.push(`left behind: ${residue.join(", ")}`)
  return lost
}

describe(`the lock under ${ROUNDS} rounds of 48 concurrent writers`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    const planted = PLANTS[round]!
    it(`round ${round + 1}${planted === "none" ? "" : planted === "dying" ? ", while a holder dies" : `, after a planted ${planted} lock`}: nothing is lost`, async () => {
      const die = plant[planted]!()
      const calls = writers(round)
      const started = Date.now()
      const timer = die ? setTimeout(die, DYING_AFTER_MS) : undefined
      const results = await Promise.all(calls.map((c) => Subprocess.run(c.args, { env, ...(c.stdin === undefined ? {} : { stdin: c.stdin }) })))
      const elapsed = Date.now() - started
      clearTimeout(timer)
      const failed = results.flatMap((r, i) => (r.code === 0 ? [] : [`${calls[i]!.args.slice(0, 2).join(" ")}: exit ${r.code}: ${r.stderr.trim()}`]))
      const lost = losses()
      figures.push(`lock stress round ${round + 1} (${planted}): ${calls.length} writers, ${elapsed} ms, ${failed.length} failed, ${lost.length} lost`)
      assert.deepStrictEqual(failed, [], "every writer succeeds")
      assert.deepStrictEqual(lost, [], "nothing is lost")
      // Whoever was made current last, the file names an existing profile (or none).
      const config = JSON.parse(fs.readFileSync(configFile(), "utf8"))
      assert.isTrue(config.currentProfile === null || Object.hasOwn(config.profiles, config.currentProfile))
      assert.strictEqual(fs.statSync(configFile()).mode & 0o777, 0o600)
      assert.strictEqual(fs.statSync(secretsFile()).mode & 0o777, 0o600)
    })
  }
})
