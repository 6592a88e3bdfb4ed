// The main job: start the sandbox and walk through API-key authentication end to end, unattended.
// Each step states the exit code it expects; the demo fails if any step disagrees.
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { shellQuote } from "./shell-quote.mjs"

const root = path.resolve(import.meta.dirname, "..")
const bin = path.join(root, "bin", "latchkey")
const home = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-demo-"))
const color = process.stdout.isTTY && !process.env.NO_COLOR
const dim = (s) => (color ? `\x1b[2m${s}\x1b[0m` : s)
const bold = (s) => (color ? `\x1b[1m${s}\x1b[0m` : s)

const env = {
  PATH: process.env.PATH,
  HOME: home,
  LATCHKEY_CONFIG_DIR: path.join(home, "config"),
  // The demo must not write into the keyring of whoever runs it: the 0600 file, chosen explicitly.
  LATCHKEY_KEYRING: "0",
  ...(process.env.NO_COLOR ? { NO_COLOR: process.env.NO_COLOR } : {})
}

// Demo mode: the sandbox's OpenID provider approves each device code as alice after 2 seconds,
// so the browser login completes on a headless machine.
const sandbox = spawn(
  process.execPath,
  [bin, "sandbox", "--port", "0", "--interval", "1", "--approve-as", "alice@example.com", "--approve-after", "2"],
  { env, stdio: ["ignore", "pipe", "inherit"] }
)
const { apiUrl } = await new Promise((resolve, reject) => {
  let buffer = ""
  sandbox.stdout.on("data", (d) => {
    buffer += d
    if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]))
  })
  sandbox.on("close", (code) => reject(new Error(`sandbox exited with ${code}`)))
})

let failures = 0
const step = async (title, args, { expect = 0, stdin, extraEnv = {} } = {}) => {
  // Printed so that it can be pasted into a shell as is (the sandbox's keys are fixtures, not secrets).
  const shown = [
    ...Object.entries(extraEnv).map(([k, v]) => `${k}=${shellQuote(v)}`),
    "latchkey",
    ...args.map(shellQuote)
  ].join(" ")
  console.log(`\n${bold(`# ${title}`)}\n${stdin ? `$ printf '%s\\n' ${shellQuote(stdin.trim())} | ${shown}` : `$ ${shown}`}`)
  const child = spawn(process.execPath, [bin, ...args], { env: { ...env, ...extraEnv }, stdio: ["pipe", "inherit", "inherit"] })
  child.stdin.end(stdin ?? "")
  const code = await new Promise((resolve) => child.on("close", resolve))
  const ok = code === expect
  if (!ok) failures++
  console.log(dim(`[exit ${code}${ok ? "" : ` — expected ${expect}`}]`))
}

console.log(bold(`latchkey demo — sandbox at ${apiUrl}, config in ${env.LATCHKEY_CONFIG_DIR}`))
await step("Point latchkey at the sandbox (the API is probed first)", ["environments", "add", "sandbox", "--api-url", apiUrl])
await step("Make it the current environment", ["environments", "use", "sandbox"])
await step("Nobody is logged in yet: status exits 1", ["auth", "status"], { expect: 1 })
await step("Log in through the browser (OAuth 2.0 device flow); the sandbox approves as alice", ["auth", "login", "--no-browser", "--team", "globex"])
await step("Who am I? A session, refreshed automatically before it expires", ["auth", "status"])
await step("The platform agrees", ["auth", "whoami"])
await step("Teams of this session (current marked *)", ["teams", "get"])
await step("Switch team: the project follows", ["teams", "use", "acme"])
await step("Refresh the session now (rotates the refresh token)", ["auth", "refresh"])
await step("Log out: the refresh token is revoked at the provider", ["auth", "logout"])
await step("Store an API key: prefix checked, validated by listing projects, first project selected", ["auth", "set-key", "lk_sandbox_alice_acme_4f1c9a7e2b"])
await step("Who am I, and where does the credential come from?", ["auth", "status"])
await step("Create a second profile non-interactively with a chosen project", [
  "auth", "token", "--api-key", "lk_sandbox_alice_all_8d3e6b0c51", "--project", "Globex API", "--profile", "alice-globex"
])
await step("A CI-style login: the key from standard input, without switching", ["auth", "login", "--with-api-key", "--profile", "bob", "--no-switch"], {
  stdin: "lk_sandbox_bob_initech_27a9f4d6c3\n"
})
await step("Profiles of this environment (current marked *)", ["auth", "list"])
await step("One profile as YAML — no secret in it", ["auth", "get", "bob", "-o", "yaml"])
await step("Switch profile", ["auth", "use", "bob"])
await step("Projects the credential can see", ["projects", "get"])
await step("An API key in the environment beats the stored profile, and says so on stderr", ["auth", "status", "-o", "json"], {
  extraEnv: { LATCHKEY_API_KEY: "lk_sandbox_alice_acme_4f1c9a7e2b" }
})
await step("A revoked key is rejected and not stored (exit 4)", ["auth", "set-key", "lk_sandbox_alice_revoked_0b5e1d9f7a"], { expect: 4 })
await step("Log out bob: profile and secret removed", ["auth", "logout", "bob"])
await step("What is left", ["auth", "list"])

// Wait for the sandbox to exit: on the way out it still writes into the demo's HOME (the code cache).
await new Promise((resolve) => {
  sandbox.once("close", resolve)
  sandbox.kill("SIGINT")
})
fs.rmSync(home, { recursive: true, force: true, maxRetries: 3 })
console.log(`\n${failures === 0 ? bold("demo complete: every step exited as expected") : `demo FAILED: ${failures} step(s) exited unexpectedly`}`)
process.exit(failures === 0 ? 0 : 1)
