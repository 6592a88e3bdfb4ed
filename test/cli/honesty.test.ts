/**
 * What the CLI says about the state it leaves: an expired session in `auth status -o json`, the
 * session's expiry, a team changed by a project, the profiles left after a logout, the command
 * that logs in again, and one announcement of plaintext storage.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as path from "node:path"
import { run } from "../../src/cli/Cli.js"
import * as Messages from "../../src/cli/Messages.js"
import { Cancelled, SessionExpired } from "../../src/Errors.js"
import * as Keyring from "../../src/Keyring.js"
import * as Prompt from "../../src/Prompt.js"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as Drive from "../support/Drive.js"
import * as FakePlatform from "../support/FakePlatform.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"
import { LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

const ALICE_ACME = "lk_sandbox_alice_acme_4f1c9a7e2b"
const ALICE_ALL = "lk_sandbox_alice_all_8d3e6b0c51"

const fake = (options: FakePlatform.Options = {}, layers: TestLayers.Options = {}) =>
  Effect.gen(function*() {
    const platform = yield* FakePlatform.make(options)
    const t = yield* TestLayers.make({ http: platform.layer, ...layers, env: { LATCHKEY_API_URL: FakePlatform.API, ...layers.env } })
    const run = (...argv: Array<string>) => Drive.toEnd(t.cli(...argv))
    return { platform, t, run, out: () => t.recorded.stdout.join("\n"), err: () => t.recorded.stderr.join("\n") }
  })

const sandboxed = (options: TestLayers.Options = {}) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
    const t = yield* TestLayers.make({ ...options, env: { LATCHKEY_API_URL: sandbox.apiUrl, ...options.env } })
    return { t, out: () => t.recorded.stdout.join("\n"), err: () => t.recorded.stderr.join("\n") }
  })

describe("an expired or revoked session", () => {
  it.effect("auth status -o json prints {authenticated: false, reason} and exits 1, as documented", () =>
    Effect.gen(function*() {
      const { err, out, platform, run } = yield* fake({ accessTokenTtl: 30 })
      assert.strictEqual(yield* run("auth", "login", "--team", "acme"), 0)
      platform.refreshTokens.clear() // the provider no longer knows the refresh token (revoked, expired)
      assert.strictEqual(yield* run("auth", "status", "-o", "json"), 1)
      const payload = JSON.parse(out())
      assert.deepStrictEqual(Object.keys(payload), ["authenticated", "reason"])
      assert.isFalse(payload.authenticated)
      assert.include(payload.reason, "session expired, run `latchkey auth login --profile alice@example.com`")
      assert.include(err(), "latchkey: session expired, run `latchkey auth login --profile alice@example.com`")
      // In text, the same line and exit code.
      assert.strictEqual(yield* run("auth", "status"), 1)
      assert.strictEqual(out(), "")
    }))

  it.effect("the hint is a command that works: `auth login --profile NAME`", () =>
    Effect.gen(function*() {
      const { err, platform, run } = yield* fake({ accessTokenTtl: 30 })
      assert.strictEqual(yield* run("auth", "login", "--team", "acme", "--profile", "work"), 0)
      platform.refreshTokens.clear()
      assert.strictEqual(yield* run("auth", "print-token"), 4)
      assert.strictEqual(err(), "latchkey: session expired, run `latchkey auth login --profile work`")
    }))
})

describe("hints that name the profile", () => {
  it.effect("a session missing from the store: log that profile in again", () =>
    Effect.gen(function*() {
      const { err, run, t } = yield* fake()
      assert.strictEqual(yield* run("auth", "login", "--team", "acme", "--profile", "work"), 0)
      yield* Ref.set(t.secrets, new Map())
      assert.strictEqual(yield* run("auth", "print-token"), 4)
      assert.include(err(), "the session of profile work is missing from memory; run `latchkey auth login --profile work` or `latchkey auth token --profile work`")
    }))

  it("a name a shell would split is quoted, so the command pastes", () => {
    const text = (e: SessionExpired) => Messages.make(Messages.names("latchkey")).error(e)
    assert.strictEqual(text(new SessionExpired({ profile: "my work" })), "session expired, run `latchkey auth login --profile 'my work'`")
    assert.strictEqual(text(new SessionExpired({ profile: "it's" })), "session expired, run `latchkey auth login --profile 'it'\\''s'`")
    assert.strictEqual(text(new SessionExpired({ profile: "alice@example.com" })), "session expired, run `latchkey auth login --profile alice@example.com`")
  })
})

describe("the session's expiry", () => {
  it.effect("auth status and auth get show when the access token expires and whether it can refresh", () =>
    Effect.gen(function*() {
      const { out, run, t } = yield* fake({ accessTokenTtl: 3600 })
      assert.strictEqual(yield* run("auth", "login", "--team", "acme", "--profile", "work"), 0)
      // What the secret store holds is what is shown.
      const stored = [...(yield* Ref.get(t.secrets)).entries()].find(([k]) => k.endsWith("/session"))!
      const expiresAt = new Date(JSON.parse(stored[1]).expiresAt as number).toISOString()
      const minutesLeft = Math.round((Date.parse(expiresAt) - (yield* Clock.currentTimeMillis)) / 60_000)
      assert.isAbove(minutesLeft, 55)
      assert.strictEqual(yield* run("auth", "status", "-o", "json"), 0)
      const status = JSON.parse(out())
      assert.strictEqual(status.expiresAt, expiresAt)
      assert.strictEqual(status.canRefresh, true)
      assert.strictEqual(yield* run("auth", "status"), 0)
      assert.include(out(), `  Session:     access token expires ${expiresAt} (in ${minutesLeft} min); refreshed automatically`)
      assert.strictEqual(yield* run("auth", "get", "work", "-o", "json"), 0)
      assert.deepStrictEqual([JSON.parse(out()).expiresAt, JSON.parse(out()).canRefresh], [expiresAt, true])
      assert.strictEqual(yield* run("auth", "get", "work"), 0)
      assert.include(out(), `  Session:     access token expires ${expiresAt}`)
      assert.strictEqual(yield* run("auth", "list", "-o", "json"), 0)
      assert.strictEqual(JSON.parse(out())[0].expiresAt, expiresAt)
    }))

  it.scoped("an API key has neither: null in JSON, no Session line", () =>
    Effect.gen(function*() {
      const { out, t } = yield* sandboxed()
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME, "--profile", "k"), 0)
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "json"), 0)
      assert.deepStrictEqual([JSON.parse(out()).expiresAt, JSON.parse(out()).canRefresh], [null, null])
      assert.strictEqual(yield* t.cli("auth", "get", "k", "-o", "json"), 0)
      assert.deepStrictEqual([JSON.parse(out()).expiresAt, JSON.parse(out()).canRefresh], [null, null])
      assert.strictEqual(yield* t.cli("auth", "status"), 0)
      assert.notInclude(out(), "Session:")
    }))
})

describe("projects use", () => {
  it.scoped("a project of another team says the team changed, on stderr; the payload has both teams", () =>
    Effect.gen(function*() {
      const { err, out, t } = yield* sandboxed()
      assert.strictEqual(yield* t.cli("auth", "token", "--api-key", ALICE_ALL, "--project", "prj_globex_api", "--profile", "p"), 0)
      assert.strictEqual(yield* t.cli("projects", "use", "prj_acme_web"), 0)
      assert.strictEqual(out(), "Profile p now uses project Website (prj_acme_web)")
      assert.strictEqual(err(), "Team changed from Globex Corporation (globex) to Acme Research (acme)")
      assert.strictEqual(yield* t.cli("projects", "use", "prj_acme_ml", "-o", "json"), 0)
      const payload = JSON.parse(out())
      assert.deepStrictEqual([payload.team.slug, payload.previousTeam.slug, payload.teamChanged], ["acme", "acme", false])
      assert.strictEqual(err(), "", "the same team: nothing to say")
    }))
})

describe("after logging out of the current profile", () => {
  it.scoped("logout and status name the profiles left and `auth use`", () =>
    Effect.gen(function*() {
      const { err, out, t } = yield* sandboxed()
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME, "--profile", "alice"), 0)
      assert.strictEqual(yield* t.cli("auth", "token", "--api-key", ALICE_ALL, "--project", "prj_acme_ml", "--profile", "work"), 0)
      assert.strictEqual(yield* t.cli("auth", "logout"), 0)
      assert.strictEqual(out(), "Logged out work")
      assert.include(err(), "No profile is current now; profile alice remains in this environment: `latchkey auth use alice` makes it current")
      assert.strictEqual(yield* t.cli("auth", "status"), 1)
      assert.strictEqual(
        err(),
        "latchkey: not logged in; no profile is current, but this environment has profile alice: `latchkey auth use alice` makes it current, or run `latchkey auth login`"
      )
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "json"), 1)
      assert.include(JSON.parse(out()).reason, "`latchkey auth use alice`")
    }))

  it.scoped("with no profile at all, status says what it always said", () =>
    Effect.gen(function*() {
      const { err, t } = yield* sandboxed()
      assert.strictEqual(yield* t.cli("auth", "status"), 1)
      assert.strictEqual(err(), "latchkey: not logged in; run `latchkey auth login` or `latchkey auth token`, or set an API key in the environment")
    }))
})

describe("plaintext storage", () => {
  const plaintextLines = (stderr: ReadonlyArray<string>) => stderr.filter((l) => l.includes("plaintext"))

  it.scoped("the keyring unreachable: one announcement, the one made before writing", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const t = yield* TestLayers.make({ configDir: dir, keyring: Keyring.unavailable("no D-Bus"), env: { LATCHKEY_API_URL: sandbox.apiUrl } })
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME), 0)
      const lines = plaintextLines(t.recorded.stderr)
      assert.strictEqual(lines.length, 1, t.recorded.stderr.join("\n"))
      assert.include(lines[0]!, "the OS keyring is not available (no D-Bus); storing the credential in plaintext")
    }))

  it.scoped("--insecure-storage and LATCHKEY_KEYRING=0: one announcement, naming the choice", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      for (const [args, env, why] of [
        [["--insecure-storage"], {}, "(--insecure-storage)"],
        [[], { LATCHKEY_KEYRING: "0" }, "(LATCHKEY_KEYRING=0)"]
      ] as const) {
        const t = yield* TestLayers.make({ configDir: dir, keyring: Keyring.unavailable("no D-Bus"), env: { LATCHKEY_API_URL: sandbox.apiUrl, ...env } })
        assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME, ...args), 0)
        const lines = plaintextLines(t.recorded.stderr)
        assert.strictEqual(lines.length, 1, t.recorded.stderr.join("\n"))
        assert.strictEqual(lines[0], `latchkey: storing the credential in plaintext (mode 0600) in ${path.join(dir, "secrets.json")} ${why}`)
      }
    }))
})

describe("cancelling a login after approval", () => {
  for (const [what, answer] of [
    ["Ctrl-C at the team prompt (Cancelled)", new Cancelled()],
    ["an interruption at the team prompt (SIGINT)", Effect.interrupt]
  ] as const) {
    it.effect(`${what}: exit 130, one 'cancelled' line, nothing stored, the tokens revoked`, () =>
      Effect.gen(function*() {
        const { err, platform, t } = yield* fake({}, { tty: true })
        const cancelling = Prompt.Prompt.of({ secret: () => Effect.dieMessage("no key prompt here"), select: () => answer })
        const code = yield* Drive.toEnd(t.provide(run(["auth", "login", "--no-browser"]).pipe(Effect.provideService(Prompt.Prompt, cancelling))))
        assert.strictEqual(code, 130)
        assert.deepStrictEqual(err().split("\n").filter((l) => l.includes("cancelled")), ["latchkey: cancelled"])
        assert.deepStrictEqual((yield* t.config).profiles, {})
        assert.strictEqual((yield* Ref.get(t.secrets)).size, 0)
        assert.deepStrictEqual(platform.revoked, ["rt-1"])
      }))
  }
})
