/**
 * A guard: no string in library code (src outside src/cli and src/sandbox) names a verb of
 * latchkey's CLI, and no new one names a flag. Verbs and flags are the CLI's words; the library
 * says what happened (`Notice`) and what would help (`Hint`), and `src/cli/Messages.ts` words it.
 * Only string literals and template text are read (the TypeScript parser finds them), so doc
 * comments may still say which verb a use case serves.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

const root = path.resolve(import.meta.dirname, "../..")

/** Library modules: src/**\/*.ts without the CLI layer, the sandbox, and the bin's runtime wiring. */
const libraryFiles = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return ["cli", "sandbox"].includes(entry.name) && dir.endsWith("src") ? [] : libraryFiles(full)
    return entry.name.endsWith(".ts") && full !== path.join(root, "src", "bin.ts") ? [full] : []
  })

/** Every piece of string text in a module: literals and the fixed parts of templates. */
const strings = (file: string): Array<string> => {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
  const found: Array<string> = []
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) || ts.isTemplateTail(node)
    ) found.push(node.text)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** A group and one of its verbs, as a user types them: `auth login`, `environments add`. */
const VERB = /\b(auth|environments|projects|teams) (login|logout|list|get|use|add|delete|token|set-key|status|switch|inject|project|print-token|whoami|refresh|migrate-secrets)\b/
/** A long option: `--profile`, `--allow-http` (not `a--b`, not a bare `--`). */
const FLAG = /(^|[^\w-])--[a-z][a-z-]*/

/**
 * Flag names library code still passes as the *label* of an input in validation messages (which
 * input a bad value came from). What's left for the command kit: the verb hands the use case its
 * inputs' labels. Each entry: the module, the exact text, how often. The list may only shrink.
 */
const STILL_LABELS: ReadonlyArray<readonly [string, string, number]> = [
  ["src/ApiKeyLogin.ts", "--profile", 1],
  ["src/ApiKeyLogin.ts", "--with-api-key reads the key from standard input; pipe it in", 1],
  ["src/Credentials.ts", "--profile", 2],
  ["src/DeviceLogin.ts", "--profile", 1],
  ["src/Environments.ts", "--api-url", 2],
  ["src/Environments.ts", "--issuer", 2],
  ["src/MigrateSecrets.ts", "--profile", 1]
]

describe("library code names no verb of the CLI", () => {
  const files = libraryFiles(path.join(root, "src"))
  const all = files.flatMap((file) => strings(file).map((text) => ({ file: path.relative(root, file), text })))

  it("reads the library's modules and their strings (the guard is not vacuous)", () => {
    assert.include(files.map((f) => path.relative(root, f)), "src/Credentials.ts")
    assert.notInclude(files.map((f) => path.relative(root, f)), "src/cli/Messages.ts")
    assert.isAbove(all.length, 500)
    // The patterns catch what they are for.
    assert.match("no profile named x (see `latchkey auth list`)", VERB)
    assert.match("add one with `latchkey environments add NAME`", VERB)
    assert.match("pass --team to choose another", FLAG)
    assert.notMatch("authenticated users", VERB)
    assert.notMatch("a--b and -- alone", FLAG)
  })

  it("no string names a verb", () => {
    assert.deepStrictEqual(all.filter((s) => VERB.test(s.text)), [])
  })

  it("no string names a flag, except the labels listed as left to do (and each of those is still there)", () => {
    const counts = new Map<string, number>()
    for (const s of all.filter((s) => FLAG.test(s.text))) {
      const key = JSON.stringify([s.file, s.text])
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    const expected = new Map(STILL_LABELS.map(([file, text, n]) => [JSON.stringify([file, text]), n]))
    assert.deepStrictEqual(Object.fromEntries(counts), Object.fromEntries(expected))
  })
})
