/**
 * The interactive flows as a person meets them: the built CLI in a real pseudo-terminal (tmux, on
 * a private server socket), typed into with `send-keys`, read back with `capture-pane`, against
 * the sandbox. Each test waits for what it expects with a deadline, never a fixed sleep, and reads
 * the exit code that the pane's shell prints after the command (`EXIT=…`).
 */
import { execFileSync } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"

const SOCKET = `latchkey-test-${process.pid}-${crypto.randomBytes(4).toString("hex")}`
const tmux = (...args: Array<string>) =>
  execFileSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })

/** A word as sh reads it back. */
const quote = (word: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)

/** Approves every device code as alice after a second. */
let approving: Awaited<ReturnType<typeof Subprocess.startSandbox>>
/** Never approves: a login there waits until cancelled. */
let waiting: Awaited<ReturnType<typeof Subprocess.startSandbox>>
let sessions = 0

beforeAll(async () => {
  Subprocess.assertBuilt()
  execFileSync("tmux", ["-V"]) // tmux is a test dependency (.ci/run installs it)
  ;[approving, waiting] = await Promise.all([
    Subprocess.startSandbox(["--interval", "1", "--approve-as", "alice@example.com", "--approve-after", "1"]),
    Subprocess.startSandbox(["--interval", "1"])
  ])
}, 60_000)

afterAll(async () => {
  try {
    tmux("kill-server")
  } catch {
    // No server was started, or it has already gone.
  }
  await Promise.all([approving?.stop(), waiting?.stop()])
})

/**
 * Run `latchkey ARGS` in a new 100×30 pane with a fresh HOME, the way a person at a terminal
 * would (stdin, stdout and stderr the pseudo-terminal), then print its exit code.
 */
const terminal = (apiUrl: string, args: ReadonlyArray<string>) => {
  const home = Subprocess.tempDir()
  const configDir = path.join(home, "cfg")
  const env = Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir, LATCHKEY_API_URL: apiUrl, TERM: "screen" })
  const name = `s${++sessions}`
  const command = [
    "exec env -i",
    ...Object.entries(env).map(([k, v]) => quote(`${k}=${v}`)),
    "sh -c",
    // The trap keeps this shell alive through the Ctrl-C its child gets (a trapped signal is
    // reset to the default in the child, so latchkey sees SIGINT as a person's shell gives it).
    quote(`trap : INT; ${quote(process.execPath)} -- ${quote(Subprocess.BIN)} ${args.map(quote).join(" ")}; echo EXIT=$?; exec sleep 600`)
  ].join(" ")
  tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30", command)
  const screen = () => tmux("capture-pane", "-p", "-t", name)
  /** Wait until the screen satisfies `test` (15 s at most); returns the screen. */
  const waitFor = async (test: (s: string) => boolean, what: string, millis = 15_000) => {
    const deadline = Date.now() + millis
    for (;;) {
      const s = screen()
      if (test(s)) return s
      if (Date.now() > deadline) assert.fail(`waited ${millis / 1000} s for ${what}; the screen:\n${s}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const exitCode = async () => {
    const s = await waitFor((x) => /EXIT=\d+/.test(x), "the command to end")
    return Number(/EXIT=(\d+)/.exec(s)![1])
  }
  const keys = (...k: Array<string>) => void tmux("send-keys", "-t", name, ...k)
  /** Typed as text, never read as key names. */
  const type = (text: string) => void tmux("send-keys", "-t", name, "-l", text)
  const cli = (...a: Array<string>) => Subprocess.run(a, { env })
  return { screen, waitFor, exitCode, keys, type, cli, configDir, lines: (s: string) => s.split("\n").map((l) => l.trimEnd()) }
}

describe("in a pseudo-terminal", () => {
  it("auth token: the masked prompt shows one * per character, asks again for a refused key, then offers the projects", async () => {
    const t = terminal(approving.apiUrl, ["auth", "token"])
    await t.waitFor((s) => s.includes("API key ›"), "the key prompt")
    t.type("lk_wrong")
    let s = await t.waitFor((x) => x.includes("API key › ********"), "eight stars")
    assert.notInclude(s, "lk_wrong", "the key is never echoed")
    assert.notInclude(s, "*********", "one star per character, not more")
    t.type("_0123456789")
    t.keys("Enter")
    s = await t.waitFor((x) => x.includes("try 2 of 3"), "the second try")
    assert.include(s, "the platform refused it, HTTP 401")
    assert.notInclude(s, "EXIT=", "a refused key does not end the command")
    t.type("lk_sandbox_alice_all_8d3e6b0c51")
    t.keys("Enter")
    s = await t.waitFor((x) => x.includes("Project ›") && x.includes("Globex API"), "the project choice")
    assert.notInclude(s, "alice_all", "the key is never echoed")
    t.keys("Down")
    t.keys("Down")
    await t.waitFor((x) => /❯ Globex API/.test(x), "the cursor on Globex API")
    t.keys("Enter")
    assert.strictEqual(await t.exitCode(), 0, t.screen())
    s = t.screen()
    assert.include(s, "Logged in as alice@example.com (Globex Corporation)")
    assert.include(s, "Project: Globex API (prj_globex_api)")
    const status = await t.cli("auth", "status", "-o", "json")
    assert.strictEqual(JSON.parse(status.stdout).project.id, "prj_globex_api")
  }, 60_000)

  it("auth token: three refused keys end the command (exit 4), nothing stored", async () => {
    const t = terminal(approving.apiUrl, ["auth", "token"])
    for (const attempt of [1, 2, 3]) {
      await t.waitFor((s) => attempt === 1 ? s.includes("API key ›") : s.includes(`try ${attempt} of 3`), `try ${attempt}`)
      t.type("lk_sandbox_nobody_0000000000")
      t.keys("Enter")
    }
    assert.strictEqual(await t.exitCode(), 4, t.screen())
    assert.isFalse(fs.existsSync(path.join(t.configDir, "secrets.json")))
  }, 60_000)

  it("auth login: a spinner while waiting, erased on approval, then the team is a choice", async () => {
    const t = terminal(approving.apiUrl, ["auth", "login", "--no-browser"])
    await t.waitFor((s) => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for approval… \d+:\d\d left/.test(s), "the spinner")
    let s = await t.waitFor((x) => x.includes("Team ›"), "the team choice", 30_000)
    assert.notInclude(s, "Waiting for approval", "the spinner's line is erased")
    assert.include(s, "Acme Research")
    assert.include(s, "Globex Corporation")
    t.keys("Down")
    await t.waitFor((x) => /❯ Globex Corporation/.test(x), "the cursor on Globex")
    t.keys("Enter")
    assert.strictEqual(await t.exitCode(), 0, t.screen())
    s = t.screen()
    assert.include(s, "Logged in as alice@example.com (Globex Corporation)")
    const status = await t.cli("auth", "status", "-o", "json")
    assert.strictEqual(JSON.parse(status.stdout).team.slug, "globex")
  }, 60_000)

  it("Ctrl-C while waiting for approval: the spinner erased, `latchkey: cancelled` on a line of its own, exit 130, nothing stored", async () => {
    const t = terminal(waiting.apiUrl, ["auth", "login", "--no-browser"])
    await t.waitFor((s) => s.includes("Waiting for approval…"), "the spinner")
    t.keys("C-c")
    assert.strictEqual(await t.exitCode(), 130, t.screen())
    const lines = t.lines(t.screen())
    assert.strictEqual(lines.filter((l) => l.includes("cancelled")).length, 1, lines.join("\n"))
    assert.include(lines, "latchkey: cancelled")
    assert.isFalse(lines.some((l) => l.includes("Waiting for approval")), "the spinner's line is erased")
    assert.isFalse(fs.existsSync(path.join(t.configDir, "secrets.json")), "no secret stored")
    const list = await t.cli("auth", "list", "-o", "json")
    assert.deepStrictEqual(JSON.parse(list.stdout), [], "no profile stored")
  }, 60_000)

  it("Ctrl-C at a prompt: `latchkey: cancelled` on a line of its own, exit 130", async () => {
    const t = terminal(approving.apiUrl, ["auth", "token"])
    await t.waitFor((s) => s.includes("API key ›"), "the key prompt")
    t.type("lk_")
    await t.waitFor((s) => s.includes("API key › ***"), "three stars")
    t.keys("C-c")
    assert.strictEqual(await t.exitCode(), 130, t.screen())
    const lines = t.lines(t.screen())
    assert.strictEqual(lines.filter((l) => l.includes("cancelled")).length, 1, lines.join("\n"))
    assert.include(lines, "latchkey: cancelled")
    assert.isFalse(fs.existsSync(path.join(t.configDir, "secrets.json")))
  }, 60_000)
})

describe("without a terminal", () => {
  it("--interactive with standard input at its end: the project prompt is one error line, exit 1, nothing stored", async () => {
    const home = Subprocess.tempDir()
    const env = Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: path.join(home, "cfg"), LATCHKEY_API_URL: approving.apiUrl })
    const started = Date.now()
    // Standard input is empty and closed: the project choice can never be answered.
    const r = await Subprocess.run(["auth", "token", "--api-key", "lk_sandbox_alice_all_8d3e6b0c51", "--interactive"], { env })
    assert.strictEqual(r.code, 1, r.stderr)
    assert.isBelow(Date.now() - started, 15_000)
    assert.strictEqual(r.stderr.trim().split("\n").at(-1), "latchkey: no answer: standard input ended")
    assert.isFalse(fs.existsSync(path.join(home, "cfg", "secrets.json")))
  }, 60_000)
})

describe("the demo", () => {
  it("prints commands that a shell reads back as the arguments it ran (--project 'Globex API' is one word)", async () => {
    const { spawnSync } = await import("node:child_process")
    const demo = spawnSync(process.execPath, [path.join(Subprocess.ROOT, "scripts", "demo.mjs")], {
      env: { ...Subprocess.baseEnv(), NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 90_000
    })
    assert.strictEqual(demo.status, 0, demo.stdout + demo.stderr)
    const commands = demo.stdout.split("\n").filter((l) => l.startsWith("$ ")).map((l) => l.slice(2))
    assert.isAbove(commands.length, 10)
    // Each line, pasted into sh with `latchkey` standing for a function that prints its arguments.
    const words = (line: string) => {
      const r = spawnSync("sh", ["-c", `latchkey() { for a in "$@"; do printf '%s\\n' "$a"; done; }\n${line}`], { encoding: "utf8" })
      assert.strictEqual(r.status, 0, `${line}: ${r.stderr}`)
      return r.stdout.split("\n").slice(0, -1)
    }
    const token = commands.find((c) => c.includes("--project"))!
    assert.deepStrictEqual(words(token).slice(-4), ["--project", "Globex API", "--profile", "alice-globex"])
    // Every line is one a shell reads without error, and the key piped in is the one the demo used.
    for (const command of commands) words(command)
    const piped = commands.find((c) => c.includes("|"))!
    assert.include(words(piped), "--with-api-key")
  }, 120_000)
})
