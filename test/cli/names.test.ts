/**
 * Names that are not names, and URLs that would carry a credential in cleartext, through the real
 * command tree against config files on disk: each is refused with one line and the right exit
 * status, and the config file stays byte for byte as it was.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"
import { ALICE_ACME, LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

const setup = (env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
    const dir = yield* TempDir.make
    const base = { LATCHKEY_API_URL: sandbox.apiUrl, LATCHKEY_KEYRING: "0" }
    const seed = yield* TestLayers.make({ configDir: dir, env: base })
    assert.strictEqual(yield* seed.cli("auth", "set-key", ALICE_ACME, "--profile", "alice"), 0)
    const t = yield* TestLayers.make({ configDir: dir, env: { ...base, ...env } })
    const file = path.join(dir, "config.json")
    const bytes = () => fs.readFileSync(file)
    return { sandbox, t, bytes, err: () => t.recorded.stderr.join("\n") }
  })

/**
 * Run argv; assert the exit status, one `latchkey: …` line with `expected` (for a usage error,
 * exit 2, followed by the line saying where the usage is), and an untouched config file.
 */
const refuses = (
  s: Effect.Effect.Success<ReturnType<typeof setup>>,
  argv: ReadonlyArray<string>,
  code: number,
  expected: string
) =>
  Effect.gen(function*() {
    const before = s.bytes()
    const shown = JSON.stringify(argv)
    assert.strictEqual(yield* s.t.cli(...argv), code, shown)
    const [line, ...rest] = s.t.recorded.stderr
    assert.deepStrictEqual(rest, code === 2 ? [`Run '${usagePath(argv)} --help' for usage.`] : [], `${shown}: ${s.err()}`)
    assert.match(line ?? "", /^latchkey: [^\n]*$/, shown)
    assert.include(line, expected, shown)
    assert.notInclude(s.err(), "\x1b", shown)
    assert.isTrue(s.bytes().equals(before), `${shown} changed config.json`)
  })

const NOT_A_NAME = "profile names are 1 to 128 characters"

/** The command path of argv (its leading words up to the first option or argument of the verb). */
function usagePath(argv: ReadonlyArray<string>): string {
  const groups = new Set(["auth", "environments", "projects", "teams"])
  const words = ["latchkey"]
  for (const [i, word] of argv.entries()) {
    if (word.startsWith("-")) break
    words.push(word)
    if (i > 0 || !groups.has(word)) break
  }
  return words.join(" ")
}

describe("names that are not names", () => {
  it.scoped("Object.prototype's member names are no profile (exit 1); __proto__ and other bad names are usage errors (exit 2); config.json untouched", () =>
    Effect.gen(function*() {
      const s = yield* setup()
      for (const name of ["toString", "constructor", "hasOwnProperty"]) {
        yield* refuses(s, ["auth", "use", name], 1, `no profile named ${name}`)
        yield* refuses(s, ["auth", "logout", name], 1, `no profile named ${name}`)
        yield* refuses(s, ["auth", "get", name], 1, `no profile named ${name}`)
        yield* refuses(s, ["environments", "use", name], 1, `no environment named ${name}`)
      }
      yield* refuses(s, ["auth", "switch", "--profile", "toString"], 1, "no profile named toString")
      yield* refuses(s, ["auth", "status", "--profile", "valueOf"], 1, "no profile named valueOf")
      yield* refuses(s, ["projects", "use", "prj_acme_web", "--profile", "constructor"], 1, "no profile named constructor")
      yield* refuses(s, ["teams", "use", "acme", "--profile", "toString"], 1, "no profile named toString")
      yield* refuses(s, ["auth", "migrate-secrets", "--to", "file", "--profile", "toString"], 1, "no profile named toString")
      yield* refuses(s, ["environments", "delete", "constructor"], 1, "no environment named constructor")
      for (const name of ["__proto__", "", "../../x", "a\x1b]0;pwned\x07", "a\nb", "x".repeat(5000)]) {
        yield* refuses(s, ["auth", "use", name], 2, NOT_A_NAME)
        yield* refuses(s, ["environments", "use", name], 2, "environment names are")
      }
      for (const name of ["__proto__", "../../x", "a\x1b[2J"]) {
        yield* refuses(s, ["auth", "logout", name], 2, NOT_A_NAME)
        yield* refuses(s, ["auth", "get", name], 2, NOT_A_NAME)
        yield* refuses(s, ["auth", "status", "--profile", name], 2, NOT_A_NAME)
        yield* refuses(s, ["projects", "get", "--profile", name], 2, NOT_A_NAME)
        yield* refuses(s, ["auth", "set-key", ALICE_ACME, "--profile", name], 2, NOT_A_NAME)
        yield* refuses(s, ["auth", "token", "--api-key", ALICE_ACME, "--project", "prj_acme_web", "--profile", name], 2, NOT_A_NAME)
        yield* refuses(s, ["environments", "delete", name], 2, "environment names are")
        yield* refuses(s, ["environments", "add", name, "--api-url", s.sandbox.apiUrl, "--no-probe"], 2, "environment names are")
      }
      // The file still works: the failed attempts broke nothing.
      assert.strictEqual(yield* s.t.cli("auth", "status"), 0)
      assert.strictEqual(yield* s.t.cli("auth", "use", "alice"), 0)
    }))

  it.scoped("LATCHKEY_PROFILE is held to the same rule (exit 2, naming the variable)", () =>
    Effect.gen(function*() {
      const s = yield* setup({ LATCHKEY_PROFILE: "__proto__" })
      yield* refuses(s, ["auth", "status"], 2, `invalid profile name "__proto__" in LATCHKEY_PROFILE`)
      const t = yield* setup({ LATCHKEY_PROFILE: "toString" })
      yield* refuses(t, ["auth", "status"], 1, "LATCHKEY_PROFILE names toString, but there is no such profile")
    }))

  it.scoped("an email is a valid name", () =>
    Effect.gen(function*() {
      const s = yield* setup()
      assert.strictEqual(yield* s.t.cli("auth", "set-key", ALICE_ACME, "--profile", "alice+ci@example.com"), 0)
      assert.strictEqual(yield* s.t.cli("auth", "use", "alice+ci@example.com"), 0)
    }))
})

describe("credentials in cleartext", () => {
  it.scoped("environments add refuses plain http to another host (exit 2, one line, nothing sent, config unchanged) unless --allow-http", () =>
    Effect.gen(function*() {
      const s = yield* setup()
      const requests = s.sandbox.requests.length
      yield* refuses(s, ["environments", "add", "prod", "--api-url", "http://api.example.com"], 2, `--api-url "http://api.example.com" is plain http to another host`)
      yield* refuses(s, ["environments", "add", "prod", "--api-url", "http://api.example.com", "--no-probe"], 2, "use https, or add the environment with --allow-http")
      yield* refuses(s, ["environments", "add", "prod", "--api-url", "https://api.example.com", "--issuer", "http://id.example.com", "--no-probe"], 2, `--issuer "http://id.example.com" is plain http`)
      yield* refuses(s, ["environments", "add", "prod", "--api-url", "file:///etc/passwd"], 2, "--api-url must be an http(s) URL")
      assert.strictEqual(s.sandbox.requests.length, requests)

      assert.strictEqual(yield* s.t.cli("environments", "add", "lab", "--api-url", "http://10.0.0.5", "--allow-http", "--no-probe"), 0)
      assert.include(s.t.recorded.stdout.join("\n"), "Added environment lab (http://10.0.0.5); plain http allowed (--allow-http)")
      const stored = JSON.parse(s.bytes().toString("utf8"))
      assert.deepStrictEqual(stored.environments.lab, { apiUrl: "http://10.0.0.5", allowHttp: true })
      assert.strictEqual(yield* s.t.cli("environments", "add", "local", "--api-url", s.sandbox.apiUrl), 0, "loopback needs no opt-in")
    }))

  it.scoped("LATCHKEY_API_URL over plain http to another host: no key is sent (exit 2)", () =>
    Effect.gen(function*() {
      const s = yield* setup({ LATCHKEY_API_URL: "http://api.example.com" })
      yield* refuses(s, ["auth", "set-key", ALICE_ACME], 2, `LATCHKEY_API_URL "http://api.example.com" is plain http to another host`)
      const t = yield* setup({ LATCHKEY_API_URL: "http://api.example.com", LATCHKEY_API_KEY: ALICE_ACME })
      yield* refuses(t, ["auth", "status"], 2, "LATCHKEY_API_URL")
    }))
})
