/** `auth inject` with the built CLI against the sandbox, under `umask 000`: the file is 0600 and works as an environment. */
import * as fs from "node:fs"
import * as path from "node:path"
import { parseEnv } from "node:util"
import { assert, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"
import { ALICE_ALL } from "../support/SandboxKeys.js"

const sandbox = Subprocess.sandboxForFile()

const user = () => {
  const { env, home } = Subprocess.newUser({ LATCHKEY_API_URL: sandbox.apiUrl })
  const project = path.join(home, "app")
  fs.mkdirSync(project)
  // Run from the project directory with umask 000, so any mode the CLI does not set itself would show.
  const cli = (...args: Array<string>) => Subprocess.run(args, { env, shell: `umask 000 && cd '${project}'` })
  return { home, project, env, cli }
}

describe("auth inject, end to end", () => {
  it("writes .env in the current directory 0600 under umask 000; the file then authenticates the CLI", async () => {
    const { cli, env, project } = user()
    let r = await cli("auth", "set-key", ALICE_ALL, "--project", "prj_globex_api")
    assert.strictEqual(r.code, 0, r.stderr)
    fs.writeFileSync(path.join(project, ".env"), "# mine\nexport LATCHKEY_API_KEY='stale'\nPORT=8080")
    r = await cli("auth", "inject")
    assert.strictEqual(r.code, 0, r.stderr)
    const file = path.join(project, ".env")
    assert.strictEqual(r.stdout.trim(), `Wrote LATCHKEY_API_KEY, LATCHKEY_API_URL, LATCHKEY_PROJECT_ID to ${file}`)
    assert.notInclude(r.stdout + r.stderr, ALICE_ALL)
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
    const text = fs.readFileSync(file, "utf8")
    assert.strictEqual(text, `# mine\nexport LATCHKEY_API_KEY='${ALICE_ALL}'\nPORT=8080\nLATCHKEY_API_URL=${sandbox.apiUrl}\nLATCHKEY_PROJECT_ID=prj_globex_api`)

    // The variables, as a tool reading the file gets them, authenticate a fresh HOME with no profile.
    const fresh = Subprocess.tempDir()
    const fromFile = parseEnv(text)
    const status = await Subprocess.run(["auth", "status", "-o", "json"], {
      env: Subprocess.baseEnv({ HOME: fresh, LATCHKEY_CONFIG_DIR: path.join(fresh, "cfg"), ...fromFile as Record<string, string> })
    })
    assert.strictEqual(status.code, 0, status.stderr)
    const json = JSON.parse(status.stdout)
    assert.deepStrictEqual([json.source, json.user.email, json.apiUrl, json.project.id], ["LATCHKEY_API_KEY", "alice@example.com", sandbox.apiUrl, "prj_globex_api"])
    assert.strictEqual(env["LATCHKEY_API_KEY"], undefined)
  })

  // On Node 20 this needs the launcher that keeps Node from taking --env-file (issue 10, helper `cli`).
  it("--env-file x.env creates the file 0600 under umask 000", async () => {
    const { cli, project } = user()
    assert.strictEqual((await cli("auth", "set-key", ALICE_ALL)).code, 0)
    const r = await cli("auth", "inject", "--env-file", "x.env", "-o", "json")
    assert.strictEqual(r.code, 0, r.stderr)
    const file = path.join(project, "x.env")
    assert.deepStrictEqual([JSON.parse(r.stdout).file, JSON.parse(r.stdout).created], [file, true])
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
    assert.strictEqual(parseEnv(fs.readFileSync(file, "utf8"))["LATCHKEY_API_KEY"], ALICE_ALL)
    assert.isFalse(fs.existsSync(path.join(project, ".env")))
  })
})
