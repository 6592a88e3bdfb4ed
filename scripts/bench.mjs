// npm run bench: start-up of the hot commands as a ratio to `node -e 0`, measured in the same run.
// Prepares a temporary config with a stored API key (current profile) and a session profile with
// a cached, still-valid access token; nothing touches the network. Runs every command in turn
// (interleaved), 5 warm-up rounds then RUNS measured rounds; medians. Peak RSS from GNU time.
// NODE_EXTRA_CA_CERTS is removed from the children's environment: it slows Node 20's start-up.
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as BenchConfig from "./bench-config.mjs"

const RUNS = Number(process.env.RUNS ?? 30)
const WARMUP = 5
const root = resolve(import.meta.dirname, "..")
const bin = join(root, "bin", "latchkey")
const home = mkdtempSync(join(tmpdir(), "latchkey-bench-"))
const configDir = join(home, "config")

BenchConfig.write(configDir)
const { TOKEN } = BenchConfig

const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, "cache"), LATCHKEY_CONFIG_DIR: configDir, LATCHKEY_KEYRING: "0" }
const cold = { LATCHKEY_CODE_CACHE: "0" }
const commands = [
  { name: "node -e 0", args: ["-e", "0"] },
  { name: "auth status --offline", args: [bin, "auth", "status", "--offline"], target: 1.5, expect: "bench@example.com" },
  { name: "auth print-token", args: [bin, "auth", "print-token"], env: { LATCHKEY_PROFILE: "session" }, target: 1.5, expect: TOKEN },
  { name: "auth list", args: [bin, "auth", "list"], target: 1.5, expect: "lk_****cdef" },
  { name: "--help", args: [bin, "--help"], target: 2, expect: "USAGE" },
  { name: "--version", args: [bin, "--version"], target: 2, expect: "." },
  { name: "auth list (no code cache)", args: [bin, "auth", "list"], env: cold, expect: "lk_****cdef" }
]

const runOnce = (c) => {
  const started = process.hrtime.bigint()
  const r = spawnSync(process.execPath, c.args, { env: { ...env, ...c.env }, encoding: "utf8" })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (r.status !== 0 || (c.expect && !r.stdout.includes(c.expect))) {
    throw new Error(`${c.name}: exit ${r.status}\n${r.stdout}\n${r.stderr}`)
  }
  return ms
}
const times = new Map(commands.map((c) => [c.name, []]))
for (let round = 0; round < WARMUP + RUNS; round++) {
  for (const c of commands) {
    const ms = runOnce(c)
    if (round >= WARMUP) times.get(c.name).push(ms)
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined
const rss = (c) => {
  if (!gnuTime) return NaN
  const samples = []
  for (let i = 0; i < 5; i++) {
    const r = spawnSync(gnuTime, ["-f", "%M", process.execPath, ...c.args], { env: { ...env, ...c.env }, encoding: "utf8" })
    samples.push(Number(r.stderr.trim().split("\n").pop()))
  }
  return median(samples)
}

const base = median(times.get("node -e 0"))
const baseRss = rss(commands[0])
const rows = commands.map((c) => {
  const ms = median(times.get(c.name))
  const kb = c === commands[0] ? baseRss : rss(c)
  const ratio = ms / base
  const rssRatio = kb / baseRss
  const verdict = c.target === undefined ? "" : `${ratio <= c.target ? "ok" : "MISSED"} (≤ ${c.target}×)`
  const rssVerdict = c.target === undefined ? "" : `${rssRatio <= 1.3 ? "ok" : "MISSED"} (≤ 1.3×)`
  return [c.name, ms.toFixed(1), `${ratio.toFixed(2)}×`, verdict, Number.isNaN(kb) ? "-" : (kb / 1024).toFixed(1), Number.isNaN(kb) ? "-" : `${rssRatio.toFixed(2)}×`, rssVerdict]
})
const header = ["command", "median ms", "vs node", "time target", "peak RSS MiB", "vs node", "RSS target"]
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const line = (r) => `| ${r.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`
console.log(`latchkey start-up, ${new Date().toISOString().slice(0, 10)}, node ${process.version} (${process.arch}), ${RUNS} runs after ${WARMUP} warm-up, interleaved`)
console.log(line(header))
console.log(line(widths.map((w) => "-".repeat(w))))
for (const r of rows) console.log(line(r))
rmSync(home, { recursive: true, force: true })
