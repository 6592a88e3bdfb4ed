/**
 * What the CLI prints, in-process: no verb's JSON (or text) holds a secret except `auth
 * print-token`, whose job it is; text from a hand-edited config file is cleaned before it is
 * printed; a login whose email is not a valid profile name is refused.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as Configs from "../support/Configs.js"
import * as Drive from "../support/Drive.js"
import * as FakePlatform from "../support/FakePlatform.js"
import * as TestLayers from "../support/TestLayers.js"
import { ALICE_ACME, LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

/** Every verb that can print JSON, after a login; `print-token` last but one, `logout` last. */
const VERBS: ReadonlyArray<ReadonlyArray<string>> = [
  ["auth", "status"],
  ["auth", "status", "--offline"],
  ["auth", "list"],
  ["auth", "get"],
  ["auth", "whoami"],
  ["teams", "get"],
  ["projects", "get"],
  ["environments", "get"],
  ["auth", "print-token"],
  ["auth", "logout"]
]

describe("no secret in any JSON but print-token's", () => {
  it.effect("a device-flow session: the access and refresh tokens appear only in print-token, even when the platform echoes the token", () =>
    Effect.gen(function*() {
      const platform = yield* FakePlatform.make({ echoToken: true })
      const t = yield* TestLayers.make({ http: platform.layer, env: { LATCHKEY_API_URL: FakePlatform.API } })
      const run = (...argv: Array<string>) => Drive.toEnd(t.cli(...argv))
      const printed = () => t.recorded.stdout.join("\n") + t.recorded.stderr.join("\n")
      const secrets = ["at-1", "rt-1", "at-2", "rt-2"]

      assert.strictEqual(yield* run("auth", "login", "--team", "acme", "-o", "json"), 0)
      for (const s of secrets) assert.notInclude(printed(), s, "auth login -o json")
      assert.strictEqual(yield* run("auth", "refresh", "-o", "json"), 0)
      for (const s of secrets) assert.notInclude(printed(), s, "auth refresh -o json")
      for (const argv of VERBS) {
        for (const format of ["json", "yaml"]) {
          if (argv[1] === "logout" && format === "yaml") continue
          const code = yield* run(...argv, "-o", format)
          assert.strictEqual(code, 0, `${argv.join(" ")} -o ${format}: ${printed()}`)
          const out = printed()
          if (argv[1] === "print-token") {
            // The one command whose job is to print a secret: the current access token, nothing more.
            assert.include(out, "at-2")
            for (const s of ["at-1", "rt-1", "rt-2"]) assert.notInclude(out, s)
          } else {
            for (const s of secrets) assert.notInclude(out, s, `${argv.join(" ")} -o ${format}`)
          }
        }
      }
    }))

  it.scoped("an API key: it appears only in print-token", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const t = yield* TestLayers.make({ env: { LATCHKEY_API_URL: sandbox.apiUrl } })
      const printed = () => t.recorded.stdout.join("\n") + t.recorded.stderr.join("\n")
      assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME, "-o", "json"), 0)
      assert.notInclude(printed(), ALICE_ACME)
      for (const argv of VERBS) {
        assert.strictEqual(yield* t.cli(...argv, "-o", "json"), 0, `${argv.join(" ")}: ${printed()}`)
        if (argv[1] === "print-token") assert.strictEqual(JSON.parse(t.recorded.stdout.join("\n")).token, ALICE_ACME)
        else assert.notInclude(printed(), ALICE_ACME, argv.join(" "))
      }
    }))
})

describe("text from a hand-edited config is cleaned before it is printed", () => {
  it.effect("names, emails and URLs with escapes print clean in text, JSON and YAML, and in error lines", () =>
    Effect.gen(function*() {
      const config = Configs.config({
        alice: Configs.profile({
          apiUrl: "http://127.0.0.1:9/\x1b]0;pwned\x07api",
          user: { id: "u\x9b2J", email: "alice@example.com\x1b[2J", name: "Alice\u202e" },
          team: { id: "t", slug: "acme\x1b[31m", name: "Acme\x07" },
          project: { id: "p", name: "Web\u2066site\r\nInjected: line" }
        })
      }, { currentProfile: "alice" })
      const t = yield* TestLayers.make({ config })
      const printed = () => t.recorded.stdout.join("\n") + t.recorded.stderr.join("\n")
      for (const argv of [["auth", "list"], ["auth", "get"], ["auth", "status", "--offline"]]) {
        for (const format of ["text", "json", "yaml"]) {
          yield* t.cli(...argv, "-o", format)
          assert.isNull(CONTROLS.exec(printed()), `${argv.join(" ")} -o ${format}: ${JSON.stringify(printed())}`)
        }
      }
      yield* t.cli("auth", "list", "-o", "json")
      // JSON keeps the data: the characters are escaped, not dropped.
      assert.strictEqual(JSON.parse(t.recorded.stdout.join("\n"))[0].user.name, "Alice\u202e")
      yield* t.cli("auth", "list")
      assert.include(printed(), "alice@example.com")
      // An error that quotes a URL with escapes (from the environment here): still one clean line.
      const t2 = yield* TestLayers.make({ env: { LATCHKEY_API_KEY: "lk_abcdef123", LATCHKEY_API_URL: "http://127.0.0.1:9/\x1b]0;pwned\x07api\n2nd line" } })
      const code = yield* Drive.toEnd(t2.cli("auth", "whoami"))
      assert.strictEqual(code, 1)
      assert.strictEqual(t2.recorded.stderr.length, 1)
      assert.isNull(CONTROLS.exec(t2.recorded.stderr[0]!), JSON.stringify(t2.recorded.stderr))
      assert.notInclude(t2.recorded.stderr[0]!, "\n")
      assert.match(t2.recorded.stderr[0]!, /^latchkey: /)
    }))
})

describe("a login whose email is not a valid profile name", () => {
  it.effect("is refused with one line pointing at --profile; nothing is stored and the tokens are revoked", () =>
    Effect.gen(function*() {
      const platform = yield* FakePlatform.make({ email: "eve smith@example.com" })
      const t = yield* TestLayers.make({ http: platform.layer, env: { LATCHKEY_API_URL: FakePlatform.API } })
      const code = yield* Drive.toEnd(t.cli("auth", "login", "--team", "acme"))
      assert.strictEqual(code, 1)
      const last = t.recorded.stderr.at(-1)!
      assert.match(last, /^latchkey: the account's email cannot be a profile name .*; pass --profile NAME$/)
      assert.deepStrictEqual((yield* t.config).profiles, {})
      assert.deepStrictEqual(platform.revoked, ["rt-1"])
      // With --profile it works.
      assert.strictEqual(yield* Drive.toEnd(t.cli("auth", "login", "--team", "acme", "--profile", "eve")), 0)
      assert.deepStrictEqual(Object.keys((yield* t.config).profiles), ["eve"])
    }))

  it.effect("an email with escapes (ID token and /v1/me) is cleaned before it names and is stored in the profile; one over 1024 characters is refused", () =>
    Effect.gen(function*() {
      const platform = yield* FakePlatform.make({ email: "eve\x1b]0;pwned\x07@example.com\u202e" })
      const t = yield* TestLayers.make({ http: platform.layer, env: { LATCHKEY_API_URL: FakePlatform.API } })
      assert.strictEqual(yield* Drive.toEnd(t.cli("auth", "login", "--team", "acme")), 0)
      const profiles = (yield* t.config).profiles
      assert.deepStrictEqual(Object.keys(profiles), ["eve@example.com"])
      assert.strictEqual(profiles["eve@example.com"]!.user?.email, "eve@example.com")
      assert.isNull(CONTROLS.exec(t.recorded.stdout.join("\n") + t.recorded.stderr.join("\n")))

      const long = yield* FakePlatform.make({ email: `${"e".repeat(2000)}@example.com` })
      const t2 = yield* TestLayers.make({ http: long.layer, env: { LATCHKEY_API_URL: FakePlatform.API } })
      assert.strictEqual(yield* Drive.toEnd(t2.cli("auth", "login", "--team", "acme")), 1)
      assert.include(t2.recorded.stderr.at(-1)!, "longer than 1024 characters")
      assert.deepStrictEqual((yield* t2.config).profiles, {})
    }))
})
