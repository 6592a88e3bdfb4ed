/**
 * The command line itself: help for every verb (walked from the command tree), colour rules,
 * usage errors, "did you mean", global options before the verb. In-process, through the real
 * Command tree with a recording console.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { makeRoot } from "../../src/cli/Cli.js"
import * as Help from "../../src/cli/Help.js"
import * as TestLayers from "../support/TestLayers.js"

const ESC = "\x1b"

/** Every path from the root to a verb, from the command tree itself. */
const verbs = (node: Help.Node, path: ReadonlyArray<string> = []): Array<ReadonlyArray<string>> =>
  node.children.length === 0 ? [path] : node.children.flatMap((c) => verbs(c, [...path, c.name]))
const groups = (node: Help.Node, path: ReadonlyArray<string> = []): Array<ReadonlyArray<string>> =>
  node.children.length === 0 ? [] : [path, ...node.children.flatMap((c) => groups(c, [...path, c.name]))]

const tree = Help.tree(makeRoot("latchkey"))
const allVerbs = verbs(tree)

const out = (t: Effect.Effect.Success<ReturnType<typeof TestLayers.make>>) => t.recorded.stdout.join("\n")

describe("help", () => {
  it("the tree has verbs to check", () => {
    assert.isAbove(allVerbs.length, 20)
    assert.deepInclude(allVerbs, ["auth", "login"])
  })

  for (const path of allVerbs) {
    it.effect(`${path.join(" ")} --help: purpose, full usage, real option descriptions, examples, 80 columns, no escapes`, () =>
      Effect.gen(function*() {
        const t = yield* TestLayers.make()
        assert.strictEqual(yield* t.cli(...path, "--help"), 0)
        const text = out(t)
        assert.notInclude(text, ESC)
        for (const line of text.split("\n")) assert.isAtMost(line.length, 80, `too long: ${line}`)
        const lines = text.split("\n")
        assert.isAbove(lines[0]!.length, 0, "a line of purpose first")
        assert.match(text, new RegExp(`^USAGE\\n  latchkey ${path.join(" ")}( |$)`, "m"))
        assert.match(text, new RegExp(`^EXAMPLES\\n(  # .*\\n)?  \\$ latchkey ${path.join(" ")}`, "m"))
        assert.notInclude(text, "A true or false value")
        assert.notInclude(text, "This setting is optional")
        assert.notInclude(text, "--wizard")
        assert.notInclude(text, "--log-level")
        // Every option has a description on its line (or the next, for long names).
        const node = path.reduce((n, name) => n.children.find((c) => c.name === name)!, tree)
        for (const o of node.options) assert.isAbove(o.description.length, 0, `${o.long} has no description`)
        assert.strictEqual(t.recorded.stderr.length, 0)
      }))
  }

  for (const path of groups(tree)) {
    it.effect(`${["latchkey", ...path].join(" ")} --help lists its commands once, global options once, in 80 columns`, () =>
      Effect.gen(function*() {
        const t = yield* TestLayers.make()
        assert.strictEqual(yield* t.cli(...path, "--help"), 0)
        const text = out(t)
        assert.notInclude(text, ESC)
        for (const line of text.split("\n")) assert.isAtMost(line.length, 80, `too long: ${line}`)
        const node = path.reduce((n, name) => n.children.find((c) => c.name === name)!, tree)
        for (const c of node.children) assert.match(text, new RegExp(`^  ${c.name} `, "m"))
        assert.strictEqual(text.match(/^ {6}--profile name/gm)?.length, 1, "--profile listed once")
      }))
  }

  it.effect("the root's help names --version and --completions and hides --wizard and --log-level", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make()
      assert.strictEqual(yield* t.cli("--help"), 0)
      assert.include(out(t), "--completions shell")
      assert.include(out(t), "--version")
      assert.notInclude(out(t), "--wizard")
    }))

  it.effect("an embedder's name is in every usage line and example", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ brand: { name: "acme", envPrefix: "ACME_" } })
      assert.strictEqual(yield* t.cli("auth", "status", "--help"), 0)
      assert.include(out(t), "\n  acme auth status [options]")
      assert.include(out(t), "$ acme auth status")
      assert.include(out(t), "ACME_API_KEY")
      assert.notInclude(out(t), "latchkey")
    }))

  it.effect("colour on a terminal, none with NO_COLOR, forced by FORCE_COLOR", () =>
    Effect.gen(function*() {
      const tty = yield* TestLayers.make({ tty: true })
      assert.strictEqual(yield* tty.cli("auth", "--help"), 0)
      assert.include(out(tty), `${ESC}[1mUSAGE`)
      const noColor = yield* TestLayers.make({ tty: true, env: { NO_COLOR: "1" } })
      assert.strictEqual(yield* noColor.cli("auth", "--help"), 0)
      assert.notInclude(out(noColor), ESC)
      const forced = yield* TestLayers.make({ env: { FORCE_COLOR: "1" } })
      assert.strictEqual(yield* forced.cli("auth", "--help"), 0)
      assert.include(out(forced), `${ESC}[1mUSAGE`)
      const both = yield* TestLayers.make({ env: { FORCE_COLOR: "1", NO_COLOR: "1" } })
      assert.strictEqual(yield* both.cli("auth", "--help"), 0)
      assert.notInclude(out(both), ESC)
    }))

  it.effect("--version prints one line", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make()
      assert.strictEqual(yield* t.cli("--version"), 0)
      assert.deepStrictEqual(t.recorded.stdout, ["0.0.0-test"])
    }))
})

describe("errors on the command line", () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string, string]> = [
    [["auth", "set-key"], "latchkey: Missing argument <key>", "latchkey auth set-key"],
    [["auth", "status", "-ojson"], "latchkey: unknown option '-ojson'; did you mean '-o json'?", "latchkey auth status"],
    [["auth", "status", "--output"], "latchkey: --output needs a value (text|json|yaml|jsonl|none)", "latchkey auth status"],
    [["auth", "status", "-o", "xml"], "latchkey: --output must be one of text, json, yaml, jsonl, none, not 'xml'", "latchkey auth status"],
    [["auth", "list", "--output=\x1b]0;t\x07x"], "latchkey: --output must be one of text, json, yaml, jsonl, none, not 'x'", "latchkey auth list"],
    [["auth", "status", "--profle", "x"], "latchkey: unknown option '--profle'; did you mean '--profile'?", "latchkey auth status"],
    [["sandbox", "--port", "abc"], "latchkey: 'abc' is not an integer", "latchkey sandbox"],
    [["auth", "status", "--interactive", "--no-interactive"], "latchkey: --interactive and --no-interactive exclude each other", "latchkey auth status"],
    [["--bogus", "auth", "status"], "latchkey: unknown option '--bogus'", "latchkey"],
    [["--completions"], "latchkey: --completions needs a shell: bash, zsh or fish", "latchkey"],
    [["auth", "status", "--completions", "bash"], "latchkey: --completions goes right after 'latchkey', as in 'latchkey --completions bash'", "latchkey auth status"],
    [["auth", "status", "extra"], "latchkey: unexpected argument 'extra'", "latchkey auth status"],
    [["auth", "status", "\x1b[31mred"], "latchkey: unexpected argument 'red'", "latchkey auth status"]
  ]
  for (const [argv, message, path] of cases) {
    it.effect(`${argv.join(" ")}: one line, where the usage is, exit 2`, () =>
      Effect.gen(function*() {
        const t = yield* TestLayers.make()
        assert.strictEqual(yield* t.cli(...argv), 2)
        assert.deepStrictEqual(t.recorded.stderr, [message, `Run '${path} --help' for usage.`])
        assert.deepStrictEqual(t.recorded.stdout, [])
      }))
  }

  it.effect("an unknown verb lists the group's verbs and suggests the close one", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make()
      assert.strictEqual(yield* t.cli("auth", "lgoin"), 2)
      const err = t.recorded.stderr.join("\n")
      assert.strictEqual(t.recorded.stderr[0], "latchkey: unknown command 'lgoin' for 'latchkey auth'; did you mean 'login'?")
      const auth = tree.children.find((c) => c.name === "auth")!
      for (const verb of auth.children) assert.include(err, verb.name)
      assert.notInclude(err, "environments")
      assert.strictEqual(t.recorded.stderr.at(-1), "Run 'latchkey auth --help' for usage.")
      for (const line of err.split("\n")) {
        assert.isAbove(line.trim().length, 0, "no blank lines")
        assert.isAtMost(line.length, 80)
      }
    }))

  it.effect("global options before the verb and between group and verb", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make()
      assert.strictEqual(yield* t.cli("-o", "json", "auth", "status"), 1)
      assert.deepStrictEqual(Object.keys(JSON.parse(out(t))), ["authenticated", "reason"])
      assert.strictEqual(yield* t.cli("auth", "--output=json", "status"), 1)
      assert.deepStrictEqual(Object.keys(JSON.parse(out(t))), ["authenticated", "reason"])
      assert.strictEqual(yield* t.cli("--profile", "nobody", "auth", "status"), 1)
      assert.include(t.recorded.stderr.join("\n"), "nobody")
      assert.strictEqual(yield* t.cli("auth", "--profile", "nobody", "status", "-o", "json"), 1)
      assert.include(t.recorded.stderr.join("\n"), "nobody")
    }))

  it.effect("a verb's own usage error (no value where it may not prompt) also says where the usage is", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make()
      assert.strictEqual(yield* t.cli("auth", "login", "--web", "--no-browser"), 2)
      assert.deepStrictEqual(t.recorded.stderr, [
        "latchkey: --web and --no-browser exclude each other",
        "Run 'latchkey auth login --help' for usage."
      ])
    }))

  it.effect("a group without a verb shows its help", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make()
      assert.strictEqual(yield* t.cli("auth"), 0)
      assert.include(out(t), "USAGE\n  latchkey auth <command> [options]")
    }))
})
