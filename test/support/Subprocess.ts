/**
 * Running the built CLI as a subprocess with a clean environment: a temporary HOME and config
 * dir, no inherited LATCHKEY_* variables, and no NODE_EXTRA_CA_CERTS.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const ROOT = path.resolve(import.meta.dirname, "..", "..")
export const BIN = path.join(ROOT, "bin", "latchkey")

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const assertBuilt = () => {
  if (!fs.existsSync(path.join(ROOT, "dist", "latchkey.mjs"))) {
    throw new Error("dist/latchkey.mjs is missing: run `npm run build` first (npm test does)")
  }
}

export const baseEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  LANG: "C.UTF-8",
  ...extra
})

export const run = (
  args: ReadonlyArray<string>,
  options: { readonly env: Record<string, string>; readonly stdin?: string; readonly shell?: string }
): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = options.shell
      ? spawn("sh", ["-c", `${options.shell}; exec "$0" "$@"`, process.execPath, BIN, ...args], { env: options.env })
      : spawn(process.execPath, [BIN, ...args], { env: options.env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.stdin ?? "")
  })

/** Start `latchkey sandbox --port 0` and wait for its JSON line. */
export const startSandbox = async (extraArgs: ReadonlyArray<string> = []) => {
  const child = spawn(process.execPath, [BIN, "sandbox", "--port", "0", ...extraArgs], { env: baseEnv() })
  let stderr = ""
  child.stderr.on("data", (d) => (stderr += d))
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = ""
    child.stdout.on("data", (d) => {
      buffered += d
      const newline = buffered.indexOf("\n")
      if (newline >= 0) resolve(buffered.slice(0, newline))
    })
    child.on("close", (code) => reject(new Error(`sandbox exited ${code}: ${stderr}`)))
  })
  const info = JSON.parse(line) as { apiUrl: string; issuer: string | null; clientId: string | null }
  return {
    ...info,
    line,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("close", () => resolve())
        child.kill("SIGINT")
      })
  }
}

export const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-e2e-"))
