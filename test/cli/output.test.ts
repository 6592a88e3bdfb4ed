/** -o text|json|yaml|jsonl|none and -q/--jq on the verbs that print data, in-process through the real Command tree. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { parse as parseYaml } from "yaml"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as TestLayers from "../support/TestLayers.js"
import { ALICE_ACME, ALICE_ALL, LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

/** Two stored profiles (alice-key-0c51 current, sees acme and globex; acme-only) against the in-process sandbox. */
const setup = Effect.gen(function*() {
  const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
  const t = yield* TestLayers.make({ env: { LATCHKEY_API_URL: sandbox.apiUrl } })
  assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ACME, "--profile", "acme-only", "--no-interactive"), 0)
  assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ALL, "--profile", "all"), 0)
  assert.strictEqual(yield* t.cli("auth", "use", "all"), 0)
  return { sandbox, t, out: () => t.recorded.stdout.join("\n"), err: () => t.recorded.stderr.join("\n") }
})

/** The verbs under test, and what their JSON payload must hold. */
const VERBS: ReadonlyArray<{ readonly argv: ReadonlyArray<string>; readonly list: boolean; readonly check: (json: any) => void }> = [
  { argv: ["auth", "list"], list: true, check: (j) => assert.deepStrictEqual(j.map((p: any) => [p.name, p.current]), [["acme-only", false], ["all", true]]) },
  { argv: ["auth", "get", "acme-only"], list: false, check: (j) => assert.deepStrictEqual([j.name, j.maskedKey, j.method], ["acme-only", "lk_****7e2b", "api-key"]) },
  { argv: ["auth", "status"], list: false, check: (j) => assert.deepStrictEqual([j.authenticated, j.profile, j.user.email], [true, "all", "alice@example.com"]) },
  { argv: ["environments", "get"], list: true, check: (j) => assert.deepStrictEqual(j.map((e: any) => [e.name, e.current, e.profiles]), [["default", true, 2]]) },
  { argv: ["projects", "get"], list: true, check: (j) => assert.deepStrictEqual(j.map((p: any) => p.id), ["prj_acme_web", "prj_acme_ml", "prj_globex_api"]) },
  { argv: ["teams", "get"], list: true, check: (j) => assert.deepStrictEqual(j.map((x: any) => [x.slug, x.current]), [["acme", true], ["globex", false]]) }
]

describe("-o on every data verb", () => {
  for (const verb of VERBS) {
    it.scoped(`${verb.argv.join(" ")}: text, json, yaml, jsonl and none say the same thing, with no secret`, () =>
      Effect.gen(function*() {
        const { err, out, t } = yield* setup
        assert.strictEqual(yield* t.cli(...verb.argv), 0, err())
        const text = out()
        assert.isAbove(text.length, 0)
        assert.throws(() => JSON.parse(text), SyntaxError) // text is for people, not JSON

        assert.strictEqual(yield* t.cli(...verb.argv, "-o", "json"), 0, err())
        const json = JSON.parse(out())
        verb.check(json)
        assert.strictEqual(t.recorded.stdout.length, 1, "one JSON document")

        assert.strictEqual(yield* t.cli(...verb.argv, "-o", "yaml"), 0, err())
        assert.deepStrictEqual(parseYaml(out()), json)

        assert.strictEqual(yield* t.cli(...verb.argv, "-o", "jsonl"), 0, err())
        const lines = out().split("\n")
        // One compact line per item for a list, one line for an object; each line is JSON on its own.
        assert.deepStrictEqual(lines.map((l) => JSON.parse(l)), verb.list ? json : [json])
        assert.isTrue(lines.every((l) => !l.includes("\n") && l === JSON.stringify(JSON.parse(l))))

        assert.strictEqual(yield* t.cli(...verb.argv, "-o", "none"), 0, err())
        assert.deepStrictEqual(t.recorded.stdout, [], "none: nothing on stdout")

        for (const format of ["text", "json", "yaml", "jsonl"]) {
          assert.strictEqual(yield* t.cli(...verb.argv, "-o", format), 0)
          for (const key of [ALICE_ALL, ALICE_ACME]) assert.notInclude(out() + err(), key)
        }
      }))
  }

  it.scoped("-o none still fails with the exit code, and says why on stderr", () =>
    Effect.gen(function*() {
      const { err, t } = yield* setup
      assert.strictEqual(yield* t.cli("auth", "get", "ghost", "-o", "none"), 1)
      assert.deepStrictEqual(t.recorded.stdout, [])
      assert.include(err(), "ghost")
      assert.strictEqual(yield* t.cli("auth", "status", "-o", "none", "--profile", "acme-only"), 0)
      assert.deepStrictEqual(t.recorded.stdout, [])
    }))

  it.scoped("jsonl of an empty list prints nothing; an unknown format is exit 2", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
      const t = yield* TestLayers.make({ env: { LATCHKEY_API_URL: sandbox.apiUrl } })
      assert.strictEqual(yield* t.cli("auth", "list", "-o", "jsonl"), 0)
      assert.deepStrictEqual(t.recorded.stdout, [])
      assert.strictEqual(yield* t.cli("auth", "list", "-o", "xml"), 2)
    }))
})

describe("--jq", () => {
  it.scoped("strings print raw, one per line; numbers and objects as compact JSON", () =>
    Effect.gen(function*() {
      const { err, t } = yield* setup
      assert.strictEqual(yield* t.cli("auth", "list", "--jq", ".[].name"), 0, err())
      assert.deepStrictEqual(t.recorded.stdout, ["acme-only\nall"])
      assert.strictEqual(yield* t.cli("projects", "get", "-q", "length"), 0, err())
      assert.deepStrictEqual(t.recorded.stdout, ["3"])
      assert.strictEqual(yield* t.cli("teams", "get", "-q", ".[] | select(.current) | {slug, current}"), 0, err())
      assert.deepStrictEqual(t.recorded.stdout, ["{\"slug\":\"acme\",\"current\":true}"])
      assert.strictEqual(yield* t.cli("auth", "status", "--jq", ".user.email, .verified"), 0, err())
      assert.deepStrictEqual(t.recorded.stdout, ["alice@example.com\ntrue"])
      // jq 1.8 builtins are there (this is a real jq, not a look-alike).
      assert.strictEqual(yield* t.cli("environments", "get", "--jq", "[.[].name | ascii_upcase | trim] | join(\",\")"), 0, err())
      assert.deepStrictEqual(t.recorded.stdout, ["DEFAULT"])
    }))

  it.scoped("no output from the filter prints nothing, exit 0", () =>
    Effect.gen(function*() {
      const { t } = yield* setup
      assert.strictEqual(yield* t.cli("auth", "list", "--jq", ".[] | select(.name == \"nobody\")"), 0)
      assert.deepStrictEqual(t.recorded.stdout, [])
    }))

  it.scoped("a bad expression is one line naming it and where the usage is, exit 2, nothing on stdout", () =>
    Effect.gen(function*() {
      const { t } = yield* setup
      assert.strictEqual(yield* t.cli("auth", "list", "--jq", ".[] | {"), 2)
      assert.deepStrictEqual(t.recorded.stdout, [])
      assert.strictEqual(t.recorded.stderr.length, 2)
      assert.match(t.recorded.stderr[0]!, /^latchkey: invalid --jq expression '\.\[\] \| \{': syntax error/)
      assert.strictEqual(t.recorded.stderr[1], "Run 'latchkey auth list --help' for usage.")
      assert.notInclude(t.recorded.stderr[0]!, "\n")
      assert.strictEqual(yield* t.cli("auth", "list", "-q", "nosuchfunction(1)"), 2)
      assert.match(t.recorded.stderr[0]!, /^latchkey: invalid --jq expression 'nosuchfunction\(1\)': nosuchfunction\/1 is not defined/)
    }))

  it.scoped("a filter that fails on the data prints what it produced, then one line, exit 1", () =>
    Effect.gen(function*() {
      const { t } = yield* setup
      assert.strictEqual(yield* t.cli("projects", "get", "--jq", ".[] | .id, (.id | .[0])"), 1)
      assert.deepStrictEqual(t.recorded.stdout, ["prj_acme_web"])
      assert.strictEqual(t.recorded.stderr.length, 1)
      assert.match(t.recorded.stderr[0]!, /^latchkey: --jq '.*' failed: Cannot index string with number/)
    }))

  it.scoped("goes with -o json and -o jsonl; with -o yaml, text or none it is a usage error (exit 2)", () =>
    Effect.gen(function*() {
      const { err, t } = yield* setup
      for (const format of ["json", "jsonl"]) {
        assert.strictEqual(yield* t.cli("teams", "get", "-o", format, "--jq", ".[0].slug"), 0, err())
        assert.deepStrictEqual(t.recorded.stdout, ["acme"])
      }
      for (const format of ["yaml", "text", "none"]) {
        assert.strictEqual(yield* t.cli("teams", "get", "-o", format, "--jq", ".[0].slug"), 2)
        assert.deepStrictEqual(t.recorded.stdout, [])
        assert.include(err(), `--jq prints JSON; it does not go with -o ${format}`)
      }
    }))

  it.scoped("control characters in the expression are not echoed into the terminal", () =>
    Effect.gen(function*() {
      const { t } = yield* setup
      assert.strictEqual(yield* t.cli("auth", "list", "--jq", ".[\x1b]2;pwned\x07"), 2)
      assert.notMatch(t.recorded.stderr.join("\n"), /[\x00-\x08\x0b-\x1f\x7f]/)
    }))

  it.scoped("raw strings lose escape sequences and control characters, but keep @tsv's tabs and their lines", () =>
    Effect.gen(function*() {
      const { t } = yield* setup
      assert.strictEqual(yield* t.cli("auth", "list", "--jq", "\"a\\u001b]0;title\\u0007b\\u001b[2Jc\\rd\""), 0)
      assert.deepStrictEqual(t.recorded.stdout, ["abcd"])
      assert.strictEqual(yield* t.cli("auth", "list", "--jq", ".[] | [.name, .method] | @tsv"), 0)
      assert.deepStrictEqual(t.recorded.stdout, ["acme-only\tapi-key\nall\tapi-key"])
    }))

  it.scoped("what the filter sends to stderr on purpose (debug) goes to stderr, not stdout", () =>
    Effect.gen(function*() {
      const { t } = yield* setup
      assert.strictEqual(yield* t.cli("teams", "get", "--jq", "length | debug"), 0)
      assert.deepStrictEqual(t.recorded.stdout, ["2"])
      assert.deepStrictEqual(t.recorded.stderr, ["[\"DEBUG:\",2]"])
    }))
})
