/**
 * Running the built CLI as a subprocess with a clean environment: a temporary HOME and config
 * dir, no inherited LATCHKEY_* variables, and no NODE_EXTRA_CA_CERTS.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"

export const ROOT = path.resolve(import.meta.dirname, "..", "..")
export const BIN = path.join(ROOT, "bin", "latchkey")

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const assertBuilt = () => {
  if (!fs.existsSync(path.join(ROOT, "dist", "latchkey.cjs"))) {
    throw new Error("dist/latchkey.cjs is missing: run `npm run build` first (npm test does)")
  }
}

/**
 * The file store unless a test opts into the keyring: most end-to-end tests inspect the secrets
 * file. No D-Bus address is passed on, so a test that enables the keyring without adding one sees
 * a machine without D-Bus.
 */
export const baseEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  LANG: "C.UTF-8",
  LATCHKEY_KEYRING: "0",
  // The launcher's code cache goes here, never into the real ~/.cache.
  XDG_CACHE_HOME: codeCacheDir(),
  ...extra
})

let cacheDir: string | undefined
const codeCacheDir = () => (cacheDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-e2e-cache-")))

/** The test session's D-Bus and Secret Service, as `npm test` (scripts/test.sh) provides them. */
export const secretServiceEnv = (): Record<string, string> => {
  const address = process.env["DBUS_SESSION_BUS_ADDRESS"]
  if (process.env["LATCHKEY_TEST_SECRET_SERVICE"] !== "1" || !address) {
    throw new Error(
      "these tests need a real Secret Service: run them through `npm test`, which starts gnome-keyring in a private D-Bus session (apt-get install gnome-keyring dbus libsecret-tools)"
    )
  }
  return { DBUS_SESSION_BUS_ADDRESS: address, LATCHKEY_KEYRING: "1" }
}

/** A CLI call that has not ended by then is killed, so a hung process fails its test instead of stalling the run. */
const RUN_TIMEOUT_MS = 45_000

export const run = (
  args: ReadonlyArray<string>,
  options: { readonly env: Record<string, string>; readonly stdin?: string; readonly shell?: string }
): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = options.shell
      ? spawn("sh", ["-c", `${options.shell}; exec "$0" "$@"`, process.execPath, "--", BIN, ...args], { env: options.env })
      : spawn(process.execPath, ["--", BIN, ...args], { env: options.env })
    track(child)
    let stdout = ""
    let stderr = ""
    const timer = setTimeout(() => {
      stderr += `\n[test] latchkey ${args.join(" ")} was killed after ${RUN_TIMEOUT_MS / 1000} s`
      child.kill("SIGKILL")
    }, RUN_TIMEOUT_MS)
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("error", (e) => (clearTimeout(timer), reject(e)))
    child.on("close", (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })))
    child.stdin.end(options.stdin ?? "")
  })

/** Every process a test file starts is killed when the file's worker exits, whatever happened. */
const live = new Set<ChildProcess>()
export const track = <C extends ChildProcess>(child: C): C => {
  live.add(child)
  child.once("exit", () => live.delete(child))
  return child
}
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL")
})

/**
 * Start `latchkey sandbox --port 0` and wait (30 s at most) for its JSON line. `stop` asks it to
 * end with SIGINT and kills it if it has not ended 5 s later.
 */
export const startSandbox = async (extraArgs: ReadonlyArray<string> = []) => {
  const child = track(spawn(process.execPath, [BIN, "sandbox", "--port", "0", ...extraArgs], { env: baseEnv() }))
  let stderr = ""
  child.stderr.on("data", (d) => (stderr += d))
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`the sandbox printed no line within 30 s: ${stderr}`))
    }, 30_000)
    let buffered = ""
    child.stdout.on("data", (d) => {
      buffered += d
      const newline = buffered.indexOf("\n")
      if (newline >= 0) (clearTimeout(timer), resolve(buffered.slice(0, newline)))
    })
    child.on("close", (code) => (clearTimeout(timer), reject(new Error(`sandbox exited ${code}: ${stderr}`))))
  })
  const info = JSON.parse(line) as { apiUrl: string; issuer: string | null; clientId: string | null }
  return {
    ...info,
    line,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
        child.once("close", () => (clearTimeout(timer), resolve()))
        child.kill("SIGINT")
      })
  }
}

export const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-e2e-"))

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>

/**
 * The sandbox of one test file: the build is checked and the sandbox started before the file's
 * tests, and stopped after them. The value reads through to the running sandbox.
 */
export const sandboxForFile = (extraArgs: ReadonlyArray<string> = []): Sandbox => {
  let current: Sandbox | undefined
  beforeAll(async () => {
    assertBuilt()
    current = await startSandbox(extraArgs)
  })
  afterAll(() => current?.stop())
  return new Proxy({} as Sandbox, {
    get: (_, key) => {
      if (current === undefined) throw new Error("the sandbox is not running: use it inside a test")
      return current[key as keyof Sandbox]
    }
  })
}

/** A user of their own: a temporary HOME, the config directory under it, and `extra` variables. */
export const newUser = (extra: Record<string, string> = {}) => {
  const home = tempDir()
  const configDir = path.join(home, "cfg")
  return { home, configDir, env: baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir, ...extra }) }
}
