/**
 * Shell completion as the README says to install it: the script `--completions SHELL` prints,
 * loaded by a real bash, zsh (in a tmux pane, Tab pressed) and fish (`complete -C`), completes
 * latchkey's commands and verbs.
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"

const SOCKET = `latchkey-completions-${process.pid}-${crypto.randomBytes(4).toString("hex")}`
const tmux = (...args: Array<string>) =>
  execFileSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })

/** A directory with `latchkey` on it (the built CLI, run by this Node) and the scripts installed as the README says. */
let dir: string
let bin: string
const script = async (shell: string) => {
  const r = await Subprocess.run(["--completions", shell], { env: Subprocess.baseEnv() })
  assert.strictEqual(r.code, 0, r.stderr)
  return r.stdout
}

beforeAll(async () => {
  Subprocess.assertBuilt()
  dir = Subprocess.tempDir()
  bin = path.join(dir, "bin")
  fs.mkdirSync(bin)
  fs.writeFileSync(path.join(bin, "latchkey"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} -- ${JSON.stringify(Subprocess.BIN)} "$@"\n`, { mode: 0o755 })
  fs.mkdirSync(path.join(dir, "zfunc"))
  fs.writeFileSync(path.join(dir, "zfunc", "_latchkey"), await script("zsh"))
  fs.writeFileSync(path.join(dir, "latchkey.fish"), await script("fish"))
  fs.writeFileSync(path.join(dir, "latchkey.bash"), await script("bash"))
})

afterAll(() => {
  try {
    tmux("kill-server")
  } catch {
    // No server was started, or it has already gone.
  }
})

/** What the pane shows once `expected` appears on it, or fail with the screen after `deadlineMs`. */
const waitFor = async (pane: string, expected: RegExp, deadlineMs = 10_000) => {
  const until = Date.now() + deadlineMs
  let screen = ""
  while (Date.now() < until) {
    screen = tmux("capture-pane", "-p", "-t", pane)
    if (expected.test(screen)) return screen
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`the pane never showed ${expected}:\n${screen}`)
}

describe("shell completion", () => {
  it("bash completes commands and verbs", () => {
    const complete = (line: string) =>
      spawnSync("bash", ["-c", `source "$1"; COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _latchkey_bash_completions latchkey; echo "\${COMPREPLY[@]}"`, "bash", path.join(dir, "latchkey.bash")], { encoding: "utf8" }).stdout.trim()
    assert.strictEqual(complete("latchkey au"), "auth")
    assert.strictEqual(complete("latchkey environments us"), "use")
  })

  it("zsh, with the script in $fpath and compinit, completes a command and a verb on Tab", async () => {
    const zdotdir = path.join(dir, "zdot")
    fs.mkdirSync(zdotdir, { recursive: true })
    fs.writeFileSync(path.join(zdotdir, ".zshrc"), `fpath=(${dir}/zfunc $fpath)\nautoload -Uz compinit && compinit -u -d ${dir}/zcompdump\nPS1='%% '\n`)
    tmux("new-session", "-d", "-s", "zsh", "-x", "100", "-y", "20", "env", "-i", `PATH=${bin}:/usr/bin:/bin`, `ZDOTDIR=${zdotdir}`, `HOME=${dir}`, "TERM=screen", "zsh", "-i")
    await waitFor("zsh", /^%$/m) // capture-pane drops trailing spaces
    tmux("send-keys", "-t", "zsh", "latchkey au", "Tab")
    await waitFor("zsh", /^% latchkey auth$/m)
    tmux("send-keys", "-t", "zsh", "print-t", "Tab")
    await waitFor("zsh", /^% latchkey auth print-token$/m)
  })

  it("no script offers the hidden built-ins --log-level and --wizard", async () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const text = await script(shell)
      assert.notMatch(text, /log-level|wizard/, shell)
      assert.include(text, "print-token", shell)
    }
  })

  it("fish, with the script sourced, completes commands and verbs", () => {
    const complete = (line: string) =>
      spawnSync("fish", ["--no-config", "-c", `set PATH ${bin} $PATH; source ${dir}/latchkey.fish; complete -C '${line}'`], { encoding: "utf8" }).stdout
        .split("\n").filter(Boolean).map((l) => l.split("\t")[0])
    assert.deepStrictEqual(complete("latchkey au"), ["auth"])
    assert.includeMembers(complete("latchkey auth lo"), ["login", "logout"])
  })
})
