/** Every verb, run in-process through the real Command tree with a recording console. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import * as ConfigLocation from "../../src/ConfigLocation.js"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as Drive from "../support/Drive.js"
import * as FakePlatform from "../support/FakePlatform.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"
import { ALICE_ACME, ALICE_ALL, BOB, LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

const setup = (options: TestLayers.Options = {}) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
    const t = yield* TestLayers.make({ ...options, env: { LATCHKEY_API_URL: sandbox.apiUrl, ...options.env } })
    const out = () => t.recorded.stdout.join("\n")
    const err = () => t.recorded.stderr.join("\n")
    const json = () => JSON.parse(out())
    return { sandbox, t, out, err, json }
  })

const noSecretsIn = (text: string) => {
  for (const key of [ALICE_ACME, ALICE_ALL, BOB]) assert.notInclude(text, key)
}

describe("auth status", () => {
  it.scoped("not logged in: exit 1, one line on stderr, nothing on stdout", () =>
    Effect.gen(function*() {
      const { err, out, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "status"), 1)
      assert.strictEqual(out(), "")
      assert.deepStrictEqual(t.recorded.stderr.length, 1)
      assert.include(err(), "not logged in")
    }))

  it.scoped("-o json when not logged in gives a stable object and exit 1", () =>
    Effect.gen(function*() {
      const { json, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "json"), 1)
      assert.deepStrictEqual(Object.keys(json()), ["authenticated", "reason"])
      assert.isFalse(json().authenticated)
    }))

  it.scoped("after set-key: who, method, source, storage, team, project, masked key — and no secret", () =>
    Effect.gen(function*() {
      const { err, json, out, sandbox, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME), 0)
      assert.include(out(), "Logged in as alice@example.com (Acme Research) as profile alice-key-7e2b")
      assert.strictEqual(yield* t.cli("auth", "status"), 0)
      assert.include(out(), `Logged in to ${sandbox.apiUrl} as alice@example.com (Alice Example)`)
      assert.include(out(), "alice-key-7e2b (from current profile)")
      assert.include(out(), "API key lk_****7e2b")
      noSecretsIn(out() + err())
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "json"), 0)
      const status = json()
      assert.deepStrictEqual(
        [status.authenticated, status.method, status.source, status.profile, status.maskedKey, status.team.slug, status.project],
        [true, "api-key", "current profile", "alice-key-7e2b", "lk_****7e2b", "acme", { id: "prj_acme_web", name: "Website", source: "profile" }]
      )
      noSecretsIn(out())
    }))

  it.scoped("an API key in the environment wins, is named as the source, and the override is announced", () =>
    Effect.gen(function*() {
      const { err, json, t } = yield* setup({ env: { LATCHKEY_API_KEY: BOB, LATCHKEY_PROJECT_ID: "prj_x" } })
      // Store a profile first with --profile, which beats the variable.
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME, "--profile", "alice"), 0)
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "json"), 0)
      assert.deepStrictEqual([json().source, json().user.email, json().storage, json().project.source], ["LATCHKEY_API_KEY", "bob@example.com", "env", "env"])
      assert.include(err(), "using LATCHKEY_API_KEY instead of profile alice")
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "json", "--profile", "alice"), 0)
      assert.deepStrictEqual([json().source, json().user.email], ["--profile", "alice@example.com"])
    }))

  it.scoped("--offline shows the stored facts without asking the platform", () =>
    Effect.gen(function*() {
      const { json, out, sandbox, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME), 0)
      const before = sandbox.requests.length
      assert.strictEqual(yield* t.cli("auth", "status", "--offline"), 0)
      assert.include(out(), "not checked with the platform (--offline)")
      assert.include(out(), "alice@example.com")
      assert.strictEqual(yield* t.cli("auth", "status", "--offline", "-o", "json"), 0)
      assert.deepStrictEqual([json().verified, json().verifyError, json().maskedKey], [false, null, "lk_****7e2b"])
      assert.strictEqual(sandbox.requests.length, before, "no request reached the platform")
    }))

  it.scoped("a rejected credential is exit 1 with the server's reason", () =>
    Effect.gen(function*() {
      const { err, t } = yield* setup({ env: { LATCHKEY_API_KEY: "lk_sandbox_alice_revoked_0b5e1d9f7a" } })
      assert.strictEqual(yield* t.cli("auth", "status"), 1)
      assert.include(err(), "rejected the credential (HTTP 401")
    }))

  it.scoped("--profile naming no profile: exit 1 naming it", () =>
    Effect.gen(function*() {
      const { err, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "status", "--profile", "ghost"), 1)
      assert.include(err(), "no profile named ghost")
    }))
})

describe("API-key logins", () => {
  it.scoped("set-key with a bad key: non-zero, nothing kept", () =>
    Effect.gen(function*() {
      const { err, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "set-key", "lk_sandbox_alice_revoked_0b5e1d9f7a"), 4)
      assert.include(err(), "rejected the credential")
      assert.strictEqual(yield* t.cli("auth", "set-key", "sk-inference-abc"), 1)
      assert.include(err(), "API keys start with lk_; this one does not")
      assert.deepStrictEqual((yield* t.config).profiles, {})
      assert.strictEqual((yield* t.secrets).size, 0)
    }))

  it.scoped("token: non-interactive needs both flags (exit 2); with them it creates the current profile", () =>
    Effect.gen(function*() {
      const { err, json, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "token", "--api-key", ALICE_ALL), 2)
      assert.include(err(), "pass --project")
      assert.strictEqual(yield* t.cli("auth", "token", "--api-key", ALICE_ALL, "--project", "prj_globex_api", "-o", "json"), 0)
      assert.deepStrictEqual([json().profile, json().project.id, json().current], ["alice-key-0c51", "prj_globex_api", true])
      noSecretsIn(JSON.stringify(yield* t.config))
    }))

  it.scoped("token on a terminal asks for the key and the project", () =>
    Effect.gen(function*() {
      const { t } = yield* setup({ tty: true, prompts: [ALICE_ALL, "Globex API"] })
      assert.strictEqual(yield* t.cli("auth", "token"), 0)
      assert.deepStrictEqual(yield* t.asked, ["API key", "Project"])
      assert.strictEqual((yield* t.config).profiles["alice-key-0c51"]?.project?.id, "prj_globex_api")
    }))

  it.scoped("CI set: never prompts even on a terminal", () =>
    Effect.gen(function*() {
      const { t } = yield* setup({ tty: true, env: { CI: "true" } })
      assert.strictEqual(yield* t.cli("auth", "token"), 2)
      assert.deepStrictEqual(yield* t.asked, [])
    }))

  it.scoped("login --with-api-key reads stdin; --profile names it; --no-switch keeps current", () =>
    Effect.gen(function*() {
      const { out, t } = yield* setup({ stdin: `${BOB}\n` })
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME, "--profile", "alice"), 0)
      assert.strictEqual(yield* t.cli("auth", "login", "--with-api-key", "--profile", "bob", "--no-switch"), 0)
      assert.include(out(), "as profile bob")
      const config = yield* t.config
      assert.deepStrictEqual([config.currentProfile, config.profiles["bob"]?.user?.email], ["alice", "bob@example.com"])
    }))

  it.scoped("login --with-api-key does not go with --web or --team (exit 2)", () =>
    Effect.gen(function*() {
      const { err, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "login", "--with-api-key", "--web"), 2)
      assert.include(err(), "--with-api-key does not go with --web or --team")
    }))
})

describe("device-flow login through the CLI", () => {
  const fake = (options: FakePlatform.Options = {}, layers: TestLayers.Options = {}) =>
    Effect.gen(function*() {
      const platform = yield* FakePlatform.make(options)
      const t = yield* TestLayers.make({ http: platform.layer, ...layers, env: { LATCHKEY_API_URL: FakePlatform.API, ...layers.env } })
      const run = (...argv: Array<string>) => Drive.toEnd(t.cli(...argv))
      return { platform, t, run, out: () => t.recorded.stdout.join("\n"), err: () => t.recorded.stderr.join("\n") }
    })

  it.effect("auth login: code and URL on stderr, waiting line, result on stdout; then whoami, print-token, refresh, teams, logout", () =>
    Effect.gen(function*() {
      const { err, out, platform, run, t } = yield* fake()
      assert.strictEqual(yield* run("auth", "login", "--team", "Acme Research"), 0)
      assert.strictEqual(out(), "Logged in as alice@example.com (Acme Research) as profile alice@example.com")
      assert.include(err(), "! First copy your one-time code: ABCD-EFGH")
      assert.include(err(), "Open https://issuer.test/device in a browser and enter the code, or open https://issuer.test/device?user_code=ABCD-EFGH.")
      assert.include(err(), "Waiting for approval (the code expires in 10:00)")
      assert.deepStrictEqual(yield* t.opened, [], "not a terminal: no browser")

      assert.strictEqual(yield* run("auth", "whoami"), 0)
      assert.strictEqual(out(), "alice@example.com (Alice Example)")
      assert.strictEqual(yield* run("auth", "print-token"), 0)
      assert.strictEqual(out(), "at-1")
      assert.strictEqual(yield* run("auth", "status", "-o", "json"), 0)
      assert.deepStrictEqual([JSON.parse(out()).method, JSON.parse(out()).maskedKey], ["session", null])
      assert.notInclude(out(), "at-1")

      assert.strictEqual(yield* run("auth", "refresh"), 0)
      assert.include(out(), "Refreshed the session of alice@example.com")
      assert.strictEqual(platform.refreshes, 1)
      assert.strictEqual(yield* run("auth", "print-token"), 0)
      assert.strictEqual(out(), "at-2")

      assert.strictEqual(yield* run("teams", "get", "-o", "json"), 0)
      assert.deepStrictEqual(JSON.parse(out()).map((x: { slug: string; current: boolean }) => [x.slug, x.current]), [["acme", true], ["globex", false]])
      assert.strictEqual(yield* run("teams", "use", "globex"), 0)
      assert.strictEqual(out(), "Profile alice@example.com now acts for Globex Corporation (globex), project Globex API (prj_api)")

      assert.strictEqual(yield* run("auth", "logout"), 0)
      assert.strictEqual(out(), "Logged out alice@example.com (session revoked)")
      assert.deepStrictEqual(platform.revoked, ["rt-2"])
    }))

  it.effect("--web opens the browser and asks nothing, even on a terminal", () =>
    Effect.gen(function*() {
      const { err, run, t } = yield* fake({}, { tty: true })
      assert.strictEqual(yield* run("auth", "login", "--web"), 0)
      assert.deepStrictEqual(yield* t.opened, ["https://issuer.test/device?user_code=ABCD-EFGH"])
      assert.deepStrictEqual(yield* t.asked, [])
      assert.include(err(), "Using team Acme Research (acme), the first of 2")
    }))

  it.effect("on a terminal: browser opened unless --no-browser; several teams are a choice", () =>
    Effect.gen(function*() {
      const { run, t } = yield* fake({}, { tty: true, prompts: ["Globex Corporation"] })
      assert.strictEqual(yield* run("auth", "login", "--no-browser"), 0)
      assert.deepStrictEqual(yield* t.opened, [])
      assert.deepStrictEqual(yield* t.asked, ["Team"])
    }))

  it.effect("denied in the browser: exit 1 with its message; a refused refresh later: exit 4", () =>
    Effect.gen(function*() {
      const denied = yield* fake({ pollErrors: ["access_denied"] })
      assert.strictEqual(yield* denied.run("auth", "login"), 1)
      assert.include(denied.err(), "latchkey: the login was denied in the browser")
      const expiring = yield* fake({ accessTokenTtl: 30 })
      assert.strictEqual(yield* expiring.run("auth", "login", "--team", "acme"), 0)
      expiring.platform.refreshTokens.clear()
      assert.strictEqual(yield* expiring.run("auth", "print-token"), 4)
      assert.include(expiring.err(), "session expired, run `latchkey auth login --profile alice@example.com`")
    }))
})

describe("profiles", () => {
  const twoProfiles = Effect.gen(function*() {
    const s = yield* setup()
    assert.strictEqual(yield* s.t.cli("auth", "set-key", ALICE_ACME, "--profile", "alice"), 0)
    assert.strictEqual(yield* s.t.cli("auth", "set-key", BOB, "--profile", "bob"), 0)
    return s
  })

  it.scoped("list/get: text marks current with *, json and yaml carry no secrets", () =>
    Effect.gen(function*() {
      const { json, out, t } = yield* twoProfiles
      assert.strictEqual(yield* t.cli("auth", "list"), 0)
      const lines = out().split("\n")
      assert.match(lines[0]!, /^\s+NAME\s+USER/)
      assert.match(lines.find((l) => l.includes("bob"))!, /^\*\s+bob\s+bob@example.com/)
      assert.match(lines.find((l) => l.includes("alice@"))!, /^\s+alice\s/)
      assert.strictEqual(yield* t.cli("auth", "get", "-o", "json"), 0)
      assert.deepStrictEqual(json().map((p: { name: string; current: boolean }) => [p.name, p.current]), [["alice", false], ["bob", true]])
      assert.strictEqual(yield* t.cli("auth", "get", "alice", "-o", "yaml"), 0)
      assert.include(out(), "name: alice\ncurrent: false")
      assert.strictEqual(yield* t.cli("auth", "get", "--profile", "alice", "-o", "json"), 0)
      assert.strictEqual(json().name, "alice")
      noSecretsIn(out())
      assert.strictEqual(yield* t.cli("auth", "get", "ghost"), 1)
    }))

  it.scoped("use NAME, switch --profile NAME; use without NAME off a terminal is exit 2", () =>
    Effect.gen(function*() {
      const { err, out, t } = yield* twoProfiles
      assert.strictEqual(yield* t.cli("auth", "use", "alice"), 0)
      assert.strictEqual(out(), "Switched to alice")
      assert.strictEqual((yield* t.config).currentProfile, "alice")
      assert.strictEqual(yield* t.cli("auth", "switch", "--profile", "bob"), 0)
      assert.strictEqual((yield* t.config).currentProfile, "bob")
      assert.strictEqual(yield* t.cli("auth", "use"), 2)
      assert.include(err(), "name the profile to use")
    }))

  it.scoped("logout NAME removes it and its secret; logout without a current profile is exit 2", () =>
    Effect.gen(function*() {
      const { out, t } = yield* twoProfiles
      assert.strictEqual(yield* t.cli("auth", "logout", "bob"), 0)
      assert.strictEqual(out(), "Logged out bob")
      assert.deepStrictEqual(Object.keys((yield* t.config).profiles), ["alice"])
      assert.deepStrictEqual([...(yield* t.secrets).values()], [ALICE_ACME])
      assert.strictEqual(yield* t.cli("auth", "logout"), 2)
      assert.strictEqual(yield* t.cli("auth", "status"), 1)
    }))
})

describe("projects", () => {
  it.scoped("projects get marks the selected one; projects use and auth project change it", () =>
    Effect.gen(function*() {
      const { json, out, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ALL), 0)
      assert.strictEqual(yield* t.cli("projects", "get", "-o", "json"), 0)
      assert.deepStrictEqual(json().filter((p: { current: boolean }) => p.current).map((p: { id: string }) => p.id), ["prj_acme_web"])
      assert.strictEqual(yield* t.cli("projects", "use", "Globex API"), 0)
      assert.include(out(), "now uses project Globex API (prj_globex_api)")
      const profile = (yield* t.config).profiles["alice-key-0c51"]!
      assert.deepStrictEqual([profile.project?.id, profile.team?.slug], ["prj_globex_api", "globex"])
      assert.strictEqual(yield* t.cli("auth", "project", "prj_acme_ml"), 0)
      assert.strictEqual((yield* t.config).profiles["alice-key-0c51"]?.project?.id, "prj_acme_ml")
      assert.strictEqual(yield* t.cli("projects", "use", "prj_initech_tps"), 1)
      assert.strictEqual(yield* t.cli("projects", "use"), 2)
    }))

  it.scoped("projects get when not authenticated is exit 4", () =>
    Effect.gen(function*() {
      const { t } = yield* setup()
      assert.strictEqual(yield* t.cli("projects", "get"), 4)
    }))

  it.scoped("--project overrides for one command without changing the profile", () =>
    Effect.gen(function*() {
      const { json, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ALL), 0)
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "json", "--project", "prj_globex_api"), 0)
      assert.deepStrictEqual(json().project, { id: "prj_globex_api", name: null, source: "flag" })
      assert.strictEqual((yield* t.config).profiles["alice-key-0c51"]?.project?.id, "prj_acme_web")
    }))
})

describe("environments", () => {
  it.scoped("add (probed), get, use, delete; profiles follow the current environment", () =>
    Effect.gen(function*() {
      const { json, out, sandbox, t } = yield* setup()
      assert.strictEqual(yield* t.cli("environments", "add", "local", "--api-url", sandbox.apiUrl), 0)
      assert.strictEqual(out(), `Added environment local (${sandbox.apiUrl})`)
      assert.strictEqual(yield* t.cli("environments", "use", "local"), 0)
      assert.strictEqual(yield* t.cli("auth", "set-key", BOB), 0)
      assert.strictEqual(yield* t.cli("environments", "get", "-o", "json"), 0)
      assert.deepStrictEqual(
        json().map((e: { name: string; current: boolean; profiles: number }) => [e.name, e.current, e.profiles]),
        [["default", false, 0], ["local", true, 1]]
      )
      assert.strictEqual(yield* t.cli("environments", "use", "default"), 0)
      assert.strictEqual(yield* t.cli("auth", "list", "-o", "json"), 0)
      assert.deepStrictEqual(json(), [])
      assert.strictEqual(yield* t.cli("environments", "delete", "local"), 1)
      assert.strictEqual(yield* t.cli("environments", "add", "down", "--api-url", "http://127.0.0.1:1"), 1)
      assert.strictEqual(yield* t.cli("environments", "add", "down", "--api-url", "http://127.0.0.1:1", "--no-probe"), 0)
      assert.strictEqual(yield* t.cli("environments", "delete", "down"), 0)
    }))
})

describe("the command line itself", () => {
  it.scoped("bad option values, unknown commands and extra arguments are exit 2", () =>
    Effect.gen(function*() {
      const { t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "xml"), 2)
      assert.strictEqual(yield* t.cli("auth", "nope"), 2)
      assert.strictEqual(yield* t.cli("auth", "use", "a", "b"), 2)
      assert.strictEqual(yield* t.cli("auth", "status", "--interactive", "--no-interactive"), 2)
    }))

  it.scoped("--version prints the brand's version", () =>
    Effect.gen(function*() {
      const { out, t } = yield* setup()
      assert.strictEqual(yield* t.cli("--version"), 0)
      assert.strictEqual(out().trim(), "0.0.0-test")
    }))
})

describe("an embedder's brand", () => {
  it.scoped("renames the CLI, its variables and its key prefix", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const t = yield* TestLayers.make({
        brand: { name: "inf", envPrefix: "INF_", keyPrefix: "lk_sandbox_" },
        env: { INF_API_URL: sandbox.apiUrl }
      })
      assert.strictEqual(yield* t.cli("auth", "status"), 1)
      assert.include(t.recorded.stderr.join("\n"), "inf: not logged in; run `inf auth login`")
      assert.strictEqual(yield* t.cli("auth", "set-key", "lk_other_prefix_123456"), 1)
      assert.include(t.recorded.stderr.join("\n"), "inf API keys start with lk_sandbox_; this one does not")
      assert.strictEqual(yield* t.cli("auth", "set-key", BOB, "--profile", "bob"), 0)
      // LATCHKEY_* means nothing to this CLI; INF_* does.
      const u = yield* TestLayers.make({
        brand: { name: "inf", envPrefix: "INF_" },
        env: { INF_API_URL: sandbox.apiUrl, INF_API_KEY: ALICE_ACME, LATCHKEY_API_KEY: BOB }
      })
      assert.strictEqual(yield* u.cli("auth", "status", "-o", "json"), 0)
      const status = JSON.parse(u.recorded.stdout.join("\n"))
      assert.deepStrictEqual([status.source, status.user.email], ["INF_API_KEY", "alice@example.com"])
    }))
  /** llamactl's names: mixed prefixes, no profile, config-directory or keyring variable. */
  const llamactl = (config?: ConfigLocation.ConfigLocation) => ({
    name: "llamactl",
    keyPrefix: undefined,
    env: {
      apiKey: "LLAMA_CLOUD_API_KEY",
      projectId: "LLAMA_AGENTS_PROJECT_ID",
      apiUrl: "LLAMA_CLOUD_BASE_URL",
      useProfile: "LLAMA_CLOUD_USE_PROFILE",
      profile: undefined,
      configDir: undefined,
      keyring: undefined
    },
    ...(config ? { config } : {})
  })

  it.effect("help lists the brand's own variables and none it leaves out", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ brand: llamactl() })
      assert.strictEqual(yield* t.cli("auth", "status", "--help"), 0)
      const help = t.recorded.stdout.join("\n")
      for (const name of ["LLAMA_CLOUD_API_KEY", "LLAMA_AGENTS_PROJECT_ID", "LLAMA_CLOUD_BASE_URL", "LLAMA_CLOUD_USE_PROFILE"]) {
        assert.include(help, name)
      }
      assert.notInclude(help, "LATCHKEY")
      assert.notMatch(help, /PROFILE\s+profile to use/)
      assert.notMatch(help, /config directory/)
      assert.strictEqual(yield* t.cli("--help"), 0)
      const root = t.recorded.stdout.join("\n")
      assert.include(root, "LLAMA_CLOUD_API_KEY")
      assert.notMatch(root, /KEYRING|CONFIG_DIR|LATCHKEY/)
    }))

  it.scoped("messages name the brand's variables; a hint about a left-out variable is not given", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const home = yield* TempDir.make
      const t = yield* TestLayers.make({
        brand: llamactl(ConfigLocation.homeFile(".llamactl/config.json")),
        locate: true,
        env: { HOME: home, LLAMA_CLOUD_BASE_URL: sandbox.apiUrl, LATCHKEY_PROFILE: "nobody", LATCHKEY_API_KEY: BOB }
      })
      const err = () => t.recorded.stderr.join("\n")
      // LATCHKEY_* means nothing here, and no key prefix is checked before the platform is asked.
      assert.strictEqual(yield* t.cli("auth", "status"), 1)
      assert.include(err(), "not logged in")
      assert.strictEqual(yield* t.cli("auth", "set-key", BOB, "--profile", "bob"), 0)
      // No keyring in this test: the fallback is announced without a variable the brand has not got.
      assert.include(err(), "(--insecure-storage skips the keyring)")
      assert.isTrue(existsSync(path.join(home, ".llamactl", "config.json")))
      assert.isTrue(existsSync(path.join(home, ".llamactl", "secrets.json")), "the secrets file sits beside the config file")

      const withKey = { HOME: home, LLAMA_CLOUD_BASE_URL: sandbox.apiUrl, LLAMA_CLOUD_API_KEY: ALICE_ACME }
      const u = yield* TestLayers.make({ brand: llamactl(ConfigLocation.homeFile(".llamactl/config.json")), locate: true, env: withKey })
      const uErr = () => u.recorded.stderr.join("\n")
      assert.strictEqual(yield* u.cli("auth", "status", "-o", "json"), 0)
      assert.include(uErr(), "llamactl: using LLAMA_CLOUD_API_KEY instead of profile bob (set LLAMA_CLOUD_USE_PROFILE=1 to use the profile)")
      assert.strictEqual(JSON.parse(u.recorded.stdout.join("\n")).source, "LLAMA_CLOUD_API_KEY")
      assert.notStrictEqual(yield* u.cli("projects", "use", "prj_acme_web"), 0)
      assert.include(uErr(), "the credential comes from LLAMA_CLOUD_API_KEY, which has no stored profile to change; set LLAMA_AGENTS_PROJECT_ID for the project")

      const bad = yield* TestLayers.make({ brand: llamactl(), env: { LLAMA_CLOUD_API_KEY: ALICE_ACME, LLAMA_CLOUD_BASE_URL: "ftp://api.example" } })
      assert.strictEqual(yield* bad.cli("auth", "status"), 2)
      assert.include(bad.recorded.stderr.join("\n"), "LLAMA_CLOUD_BASE_URL \"ftp://api.example\"")

      // inf leaves out the profile variables: the shadowing warning offers no variable to set.
      const inf = { name: "inf", envPrefix: "INF_", env: { profile: undefined, useProfile: undefined }, config: ConfigLocation.homeFile(".llamactl/config.json") }
      const v = yield* TestLayers.make({ brand: inf, locate: true, env: { HOME: home, INF_API_URL: sandbox.apiUrl, INF_API_KEY: ALICE_ACME, INF_USE_PROFILE: "1" } })
      assert.strictEqual(yield* v.cli("auth", "status", "-o", "json"), 0)
      assert.strictEqual(JSON.parse(v.recorded.stdout.join("\n")).source, "INF_API_KEY", "INF_USE_PROFILE is not read")
      assert.include(v.recorded.stderr.map((l) => l.trim()), "inf: using INF_API_KEY instead of profile bob")
    }))

  it.scoped("auth inject writes the brand's names and none it leaves out", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const dir = yield* TempDir.make
      const file = path.join(dir, ".env")
      const brand = { ...llamactl(), env: { ...llamactl().env, projectId: undefined } }
      const t = yield* TestLayers.make({ brand, env: { LLAMA_CLOUD_BASE_URL: sandbox.apiUrl, LLAMA_CLOUD_API_KEY: ALICE_ACME } })
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 0, t.recorded.stderr.join("\n"))
      const written = readFileSync(file, "utf8")
      assert.match(written, /^LLAMA_CLOUD_API_KEY=/m)
      assert.match(written, /^LLAMA_CLOUD_BASE_URL=/m)
      assert.notMatch(written, /PROJECT_ID|LATCHKEY/)
      // A brand without a project variable is not told to set one.
      assert.notStrictEqual(yield* t.cli("projects", "use", "prj_acme_web"), 0)
      const err = t.recorded.stderr.join("\n")
      assert.include(err, "the credential comes from LLAMA_CLOUD_API_KEY, which has no stored profile to change")
      assert.notInclude(err, "set ")
    }))
})
