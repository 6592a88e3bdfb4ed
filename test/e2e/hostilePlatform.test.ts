/**
 * The built CLI against a hostile platform API (test/support/HostilePlatform.ts): whatever the
 * platform answers, each verb ends with its exit code and exactly one `latchkey: …` line, nothing
 * a terminal would act on reaches stdout or stderr, no secret is printed, and a refused answer
 * stores nothing.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as Hostile from "../support/HostilePlatform.js"
import * as Subprocess from "../support/Subprocess.js"

const KEY = "lk_hostile_7c2e91d0b4a5f3e8"
const SECRET_LOOKING = "sk_live_9f8e7d6c5b4a39281706"
const SECRETS = [KEY, SECRET_LOOKING]

let platform: Awaited<ReturnType<typeof Hostile.start>>

beforeAll(async () => {
  Subprocess.assertBuilt()
  platform = await Hostile.start()
})
afterAll(() => platform?.close())

/** A fresh user whose API is the hostile platform. */
const user = () => {
  const home = Subprocess.tempDir()
  const configDir = path.join(home, "cfg")
  const env = (extra: Record<string, string> = {}) =>
    Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: configDir, LATCHKEY_API_URL: platform.url, ...extra })
  return { configDir, env }
}

/** The bearer token a request carried, as a hostile server would echo it. */
const bearer = (authorization: string | undefined) => (authorization ?? "").replace(/^Bearer /, "")

const clean = (r: Subprocess.Result, what: string) => {
  const both = r.stdout + r.stderr
  const found = Hostile.CONTROLS.exec(both)
  assert.isNull(found, `${what}: a control character U+${found?.[0]?.charCodeAt(0).toString(16)} was printed: ${JSON.stringify(both.slice(0, 300))}`)
  for (const secret of SECRETS) {
    // Not even a part: any ten characters of it in a row (a JSON syntax error quotes ten).
    for (let i = 0; i + 10 <= secret.length; i++) assert.notInclude(both, secret.slice(i, i + 10), `${what}: part of a secret was printed`)
  }
}

/** Refused: the exit code, exactly one `latchkey: …` line on stderr, nothing raw, no secret. */
const refused = (r: Subprocess.Result, code: number, what: string) => {
  assert.strictEqual(r.code, code, `${what}: exit ${r.code}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`)
  const lines = r.stderr.split("\n").filter((l) => l.length > 0)
  assert.strictEqual(lines.length, 1, `${what}: one line on stderr, got ${JSON.stringify(r.stderr.slice(0, 300))}`)
  assert.match(lines[0]!, /^latchkey: /, what)
  assert.notInclude(lines[0]!, "unexpected error", what)
  clean(r, what)
}

/** Every string in the config and secrets files (if any) is clean; the files hold no server junk. */
const storedClean = (configDir: string) => {
  for (const file of ["config.json", "secrets.json"]) {
    const p = path.join(configDir, file)
    if (!fs.existsSync(p)) continue
    const text = fs.readFileSync(p, "utf8")
    assert.isNull(Hostile.CONTROLS.exec(text), `${file} holds a raw control character`)
    const walk = (v: unknown): void => {
      if (typeof v === "string") assert.isNull(Hostile.CONTROLS.exec(v), `${file} holds an escaped control character`)
      else if (v && typeof v === "object") Object.values(v).forEach(walk)
    }
    walk(JSON.parse(text))
    if (file === "config.json") assert.notInclude(text, SECRET_LOOKING)
  }
}

const nothingStored = (configDir: string, what: string) => {
  const config = path.join(configDir, "config.json")
  if (fs.existsSync(config)) {
    const profiles = JSON.parse(fs.readFileSync(config, "utf8")).profiles ?? {}
    assert.deepStrictEqual(Object.keys(profiles), [], `${what}: a profile was stored`)
  }
  const secrets = path.join(configDir, "secrets.json")
  if (fs.existsSync(secrets)) {
    assert.deepStrictEqual(Object.keys(JSON.parse(fs.readFileSync(secrets, "utf8")).secrets ?? {}), [], `${what}: a secret was stored`)
  }
}

/** The same lie on every data route. */
const everywhere = (answer: Hostile.Answer | ((authorization: string | undefined) => Hostile.Answer)): Hostile.Script => ({
  me: answer,
  teams: answer,
  projects: answer,
  teamProjects: answer
})

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

interface Scenario {
  readonly name: string
  readonly script: Hostile.Script | (() => Hostile.Script)
  /** Exit codes: set-key (stores nothing), then status, whoami, teams get, projects get with the key in the environment. */
  readonly codes: { readonly setKey: number; readonly status?: number; readonly whoami: number; readonly teams?: number; readonly projects?: number }
}

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "an error message with escape sequences that echoes the key (HTTP 500)",
    script: everywhere((auth) => ({ status: 500, body: { message: Hostile.hostile(`quota exceeded for ${bearer(auth)}`) } })),
    codes: { setKey: 1, status: 1, whoami: 1, teams: 1, projects: 1 }
  },
  {
    name: "401 echoing the key twice in `error`, with an escape",
    script: everywhere((auth) => ({ status: 401, body: { error: `unknown key ${bearer(auth)} (${bearer(auth).trim()})\x1b[2J` } })),
    codes: { setKey: 4, status: 1, whoami: 4, teams: 4, projects: 4 }
  },
  {
    name: "a body that is not JSON and holds the key",
    script: everywhere((auth) => ({ status: 200, body: `{"user": ${bearer(auth)} \x1b]0;x\x07` })),
    codes: { setKey: 1, status: 1, whoami: 1, teams: 1, projects: 1 }
  },
  {
    name: "wrong types carrying a secret-looking value",
    script: {
      me: { status: 200, body: { user: { id: "u", email: { token: SECRET_LOOKING } }, credential: { type: "api_key" } } },
      teams: { status: 200, body: { teams: { token: SECRET_LOOKING } } },
      projects: { status: 200, body: { projects: [{ id: "p", name: [SECRET_LOOKING], teamId: "t" }] } },
      teamProjects: { status: 200, body: { projects: [{ id: "p", name: [SECRET_LOOKING], teamId: "t" }] } }
    },
    codes: { setKey: 1, status: 1, whoami: 1, teams: 1, projects: 1 }
  },
  {
    name: "JSON nested 100,000 deep",
    script: {
      me: { status: 200, body: `{"user":{"id":"u","email":${nested(100_000)}},"credential":{"type":"api_key"}}` },
      teams: { status: 200, body: `{"teams":[${nested(100_000)}]}` },
      projects: { status: 200, body: `{"projects":${nested(100_000)}}` },
      teamProjects: { status: 200, body: `{"projects":${nested(100_000)}}` }
    },
    codes: { setKey: 1, status: 1, whoami: 1, teams: 1, projects: 1 }
  },
  {
    name: "an error body nested 100,000 deep",
    script: everywhere({ status: 500, body: `{"message":${nested(100_000)}}` }),
    codes: { setKey: 1, status: 1, whoami: 1, teams: 1, projects: 1 }
  },
  {
    name: "a 50 MB email",
    script: () => ({
      me: { status: 200, body: { user: { id: "u", email: `${"a".repeat(50 * 1024 * 1024)}@example.com` }, credential: { type: "api_key" } } }
    }),
    codes: { setKey: 1, whoami: 1 }
  }
]

describe("the CLI against a hostile platform", () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      platform.script(typeof scenario.script === "function" ? scenario.script() : scenario.script)
      const { configDir, env } = user()
      const setKey = await Subprocess.run(["auth", "set-key", KEY], { env: env() })
      refused(setKey, scenario.codes.setKey, "auth set-key")
      nothingStored(configDir, "auth set-key")
      const withKey = env({ LATCHKEY_API_KEY: KEY })
      const verbs: Array<[Array<string>, number | undefined]> = [
        [["auth", "status"], scenario.codes.status],
        [["auth", "whoami"], scenario.codes.whoami],
        [["teams", "get"], scenario.codes.teams],
        [["projects", "get"], scenario.codes.projects]
      ]
      // Read-only verbs: run at once, to keep the suite quick.
      const runs = verbs.filter(([, code]) => code !== undefined)
      const results = await Promise.all(runs.map(([argv]) => Subprocess.run(argv, { env: withKey })))
      runs.forEach(([argv, code], i) => refused(results[i]!, code!, argv.join(" ")))
      nothingStored(configDir, "after every verb")
    }, 120_000)
  }

  it("escape-laden names, emails and ids are printed and stored clean; an id that is the key is not shown", async () => {
    platform.script({
      me: (auth) => ({
        status: 200,
        body: {
          user: { id: Hostile.hostile("usr_1"), email: Hostile.hostile("eve@example.com"), name: Hostile.hostile("Eve") },
          credential: { type: "api_key", id: bearer(auth), name: Hostile.hostile("laptop") }
        }
      }),
      teams: { status: 200, body: { teams: [{ id: "team_1", slug: Hostile.hostile("red"), name: Hostile.hostile("Red Team") }] } },
      projects: { status: 200, body: { projects: [{ id: "prj_1", name: Hostile.hostile("Payload"), teamId: "team_1" }] } },
      teamProjects: { status: 200, body: { projects: [{ id: "prj_1", name: Hostile.hostile("Payload"), teamId: "team_1" }] } }
    })
    const { configDir, env } = user()
    const setKey = await Subprocess.run(["auth", "set-key", KEY], { env: env() })
    assert.strictEqual(setKey.code, 0, setKey.stderr)
    clean(setKey, "auth set-key")
    assert.include(setKey.stdout, "Logged in as eve@example.com (Red Team)")
    storedClean(configDir)
    const runs = [["auth", "status"], ["auth", "whoami"], ["teams", "get"], ["projects", "get"], ["auth", "list"]]
      .flatMap((argv) => ["text", "json", "yaml"].map((format) => [...argv, "-o", format]))
    const results = await Promise.all(runs.map((argv) => Subprocess.run(argv, { env: env() })))
    runs.forEach((argv, i) => {
      assert.strictEqual(results[i]!.code, 0, `${argv.join(" ")}: ${results[i]!.stderr}`)
      clean(results[i]!, argv.join(" "))
    })
    const whoami = await Subprocess.run(["auth", "whoami", "-o", "json"], { env: env() })
    assert.strictEqual(JSON.parse(whoami.stdout).credential.id, "[redacted]")
    assert.strictEqual(JSON.parse(whoami.stdout).user.email, "eve@example.com")
  }, 120_000)

  it("/v1/cli/config: an escape-laden issuer prints clean; a wrong type is one line without the value; nothing is added", async () => {
    const { configDir, env } = user()
    platform.script({ cliConfig: { status: 200, body: { issuer: Hostile.hostile("https://issuer.example"), clientId: Hostile.hostile("cli") } } })
    const added = await Subprocess.run(["environments", "add", "hq", "--api-url", platform.url], { env: env() })
    assert.strictEqual(added.code, 0, added.stderr)
    clean(added, "environments add")
    storedClean(configDir)
    platform.script({ cliConfig: { status: 200, body: { issuer: { secret: SECRET_LOOKING }, clientId: null } } })
    const refusedAdd = await Subprocess.run(["environments", "add", "hq2", "--api-url", platform.url], { env: env() })
    refused(refusedAdd, 1, "environments add")
    assert.include(refusedAdd.stderr, "at .issuer expected")
    assert.notInclude(fs.readFileSync(path.join(configDir, "config.json"), "utf8"), "hq2")
  }, 60_000)

  it("a key in LATCHKEY_API_KEY with CR/LF is refused before it is sent, naming the variable, never the key", async () => {
    platform.script({})
    const { env } = user()
    const injected = `${KEY}\r\nX-Injected: 1`
    for (const argv of [["auth", "whoami"], ["teams", "get"], ["projects", "get"]]) {
      const r = await Subprocess.run(argv, { env: env({ LATCHKEY_API_KEY: injected }) })
      refused(r, 1, argv.join(" "))
      assert.include(r.stderr, "LATCHKEY_API_KEY contains characters that cannot be sent in an HTTP header")
    }
    assert.deepStrictEqual(platform.seen.filter((s) => s.authorization !== undefined), [], "nothing was sent with the key")
  }, 60_000)

  it("a key piped with a NUL is refused before it is sent, never printed", async () => {
    platform.script({})
    const { configDir, env } = user()
    const r = await Subprocess.run(["auth", "login", "--with-api-key"], { env: env(), stdin: `${KEY}\x00tail\n` })
    refused(r, 1, "auth login --with-api-key")
    assert.notInclude(r.stderr, "tail")
    assert.deepStrictEqual(platform.seen, [], "nothing was sent")
    nothingStored(configDir, "auth login --with-api-key")
  }, 60_000)
})
