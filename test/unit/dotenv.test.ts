/** `.env` parsing and rewriting: every byte the rewrite does not own stays as it was. */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { parseEnv } from "node:util"
import * as Dotenv from "../../src/internal/dotenv.js"

const K = "LATCHKEY_API_KEY"
const U = "LATCHKEY_API_URL"
const P = "LATCHKEY_PROJECT_ID"

const assign = (text: string, values: ReadonlyArray<readonly [string, string]>) => {
  const result = Dotenv.assign(text, values)
  if (Either.isLeft(result)) throw new Error(`unexpected failure: ${JSON.stringify(result.left)}`)
  return result.right
}

const failure = (text: string) => {
  const result = Dotenv.assign(text, [[K, "lk_x"]])
  if (Either.isRight(result)) throw new Error("expected a failure")
  return result.left
}

/** A file with everything the rewrite must keep: BOM, comments, export, CRLF, multi-line values, no final newline. */
const MESSY = [
  "\uFEFF# top comment\r\n",
  "\r\n",
  "export DATABASE_URL='postgres://x'  # db\r\n",
  "  INDENTED = spaced value # trailing\n",
  "MULTI=\"line one\n",
  "LATCHKEY_API_KEY=inside a value, not an assignment\n",
  "line three\"\n",
  "YAMLISH: value\n",
  "export BARE\n",
  "\t# tab comment\n",
  "EMPTY=\n",
  "LAST=`back tick`"
].join("")

describe("parse", () => {
  it("gives back the text byte for byte, with a multi-line value as one entry", () => {
    const parsed = Dotenv.parse(MESSY)
    assert.isTrue(Either.isRight(parsed))
    const { entries } = Either.getOrThrow(parsed)
    assert.strictEqual(Dotenv.render(Either.getOrThrow(parsed)), MESSY)
    const names = entries.flatMap((e) => (e._tag === "Assignment" ? [[e.name, e.line]] : []))
    assert.deepStrictEqual(names, [["DATABASE_URL", 3], ["INDENTED", 4], ["MULTI", 5], ["YAMLISH", 8], ["EMPTY", 11], ["LAST", 12]])
  })

  it("finds the pieces of an assignment: prefix, quote, value, comment, line ending", () => {
    const { entries } = Either.getOrThrow(Dotenv.parse("export A = 'x y' # c\r\n"))
    const a = entries[0]!
    assert.deepStrictEqual(a, { _tag: "Assignment", name: "A", prefix: "export A = ", quote: "'", rawValue: "'x y'", suffix: " # c", eol: "\r\n", line: 1 })
  })

  it("an unquoted value ends at # as dotenv and Node read it", () => {
    const { entries } = Either.getOrThrow(Dotenv.parse("A=abc#def\n"))
    assert.deepStrictEqual([(entries[0] as Dotenv.Assignment).rawValue, (entries[0] as Dotenv.Assignment).suffix], ["abc", "#def"])
  })

  it("refuses what it cannot read: a quote that never closes, text after a closing quote, a stray line", () => {
    assert.deepStrictEqual(failure("A=1\nB=\"open\nC=3\n"), { _tag: "Unparseable", line: 2, reason: "the \" quote never closes" })
    assert.deepStrictEqual(failure("A='x' y\n"), { _tag: "Unparseable", line: 1, reason: "text after the closing quote" })
    assert.deepStrictEqual(failure("A=1\nB=\"two\nlines\"\njust words\n"), { _tag: "Unparseable", line: 4, reason: "not NAME=value, a comment or a blank line" })
    assert.deepStrictEqual(failure("A=1\rLATCHKEY_API_KEY=old\r"), { _tag: "Unparseable", line: 1, reason: "a carriage return without a line feed" })
  })
})

describe("assign", () => {
  it("replaces only its variables' lines and keeps every other line byte for byte", () => {
    const before = [
      "# secrets for the app\n",
      "export LATCHKEY_API_KEY='lk_old_key'  # set by hand\n",
      "OTHER=\"keep me\"\n",
      "LATCHKEY_API_URL=http://old.example\n",
      "\n",
      "LATCHKEY_PROJECT_ID=\"prj_old\"\n",
      "TAIL=1\n"
    ]
    const result = assign(before.join(""), [[K, "lk_new_key"], [U, "http://127.0.0.1:4477"], [P, "prj_acme_web"]])
    const after = result.text.split(/(?<=\n)/)
    assert.deepStrictEqual(after, [
      before[0],
      "export LATCHKEY_API_KEY='lk_new_key'  # set by hand\n",
      before[2],
      "LATCHKEY_API_URL=http://127.0.0.1:4477\n",
      before[4],
      "LATCHKEY_PROJECT_ID=\"prj_acme_web\"\n",
      before[6]
    ])
    assert.deepStrictEqual(result.changes.map((c) => c.action), ["replaced", "replaced", "replaced"])
  })

  it("keeps the messy file's bytes, CRLF, BOM, multi-line values and the missing final newline", () => {
    const result = assign(MESSY, [[K, "lk_new"], [U, "http://h"], [P, "prj_1"]])
    // Nothing was replaced: the look-alike line sits inside MULTI's value.
    assert.deepStrictEqual(result.changes.map((c) => c.action), ["added", "added", "added"])
    // The old text is a prefix, and the additions use the file's line ending (CRLF, from its first line).
    assert.isTrue(result.text.startsWith(MESSY))
    assert.strictEqual(result.text.slice(MESSY.length), "\r\nLATCHKEY_API_KEY=lk_new\r\nLATCHKEY_API_URL=http://h\r\nLATCHKEY_PROJECT_ID=prj_1")
    assert.isFalse(result.text.endsWith("\n"), "no final newline before, none after")
    const env = parseEnv(result.text.slice(1))
    assert.deepStrictEqual([env[K], env["MULTI"]], ["lk_new", `line one\n${"LATCHKEY_API_KEY=inside a value, not an assignment"}\nline three`])
  })

  it("a CRLF line keeps its CRLF; a multi-line old value is replaced whole", () => {
    const before = "A=1\r\nLATCHKEY_API_KEY=\"multi\r\nline\"\r\nB=2\r\n"
    const result = assign(before, [[K, "lk_new"]])
    assert.strictEqual(result.text, "A=1\r\nLATCHKEY_API_KEY=\"lk_new\"\r\nB=2\r\n")
  })

  it("every line assigning the variable gets the value (no stale duplicate wins)", () => {
    const result = assign("LATCHKEY_API_KEY=a\nX=1\nexport LATCHKEY_API_KEY='b'\n", [[K, "lk_c"]])
    assert.strictEqual(result.text, "LATCHKEY_API_KEY=lk_c\nX=1\nexport LATCHKEY_API_KEY='lk_c'\n")
  })

  it("appends to an empty file, a file with a final newline, and one without", () => {
    assert.strictEqual(assign("", [[K, "k"], [P, "p"]]).text, "LATCHKEY_API_KEY=k\nLATCHKEY_PROJECT_ID=p\n")
    assert.strictEqual(assign("A=1\n", [[K, "k"]]).text, "A=1\nLATCHKEY_API_KEY=k\n")
    assert.strictEqual(assign("A=1", [[K, "k"]]).text, "A=1\nLATCHKEY_API_KEY=k")
    assert.strictEqual(assign("\uFEFF", [[K, "k"]]).text, "\uFEFFLATCHKEY_API_KEY=k\n")
  })

  it("an empty value is written as NAME= (unset for latchkey)", () => {
    assert.strictEqual(assign("LATCHKEY_PROJECT_ID=prj_old\n", [[P, ""]]).text, "LATCHKEY_PROJECT_ID=\n")
  })

  it("fails on a file it cannot parse, naming the line", () => {
    assert.deepStrictEqual(Dotenv.assign("A=1\n'oops\n", [[K, "x"]]).pipe(Either.flip, Either.getOrThrow), {
      _tag: "Unparseable",
      line: 2,
      reason: "not NAME=value, a comment or a blank line"
    })
  })
})

describe("quoting values", () => {
  const awkward = [
    "plain_value-1.2:3/4@5+6,7%8=9~",
    "with spaces",
    "hash # inside",
    "#leading",
    "single ' quote",
    "double \" quote",
    "dollar $HOME and `tick`",
    "two\nlines",
    "back\\slash",
    "",
    "tab\there",
    "ünïcødé"
  ]

  for (const value of awkward) {
    it(`${JSON.stringify(value)} is written so that Node's own .env parser reads it back unchanged`, () => {
      const written = assign("# head\n", [[K, value]]).text
      assert.strictEqual(parseEnv(written)[K], value, written)
      // And our parser, reading our own output, sees one assignment and renders it back.
      const parsed = Either.getOrThrow(Dotenv.parse(written))
      assert.strictEqual(Dotenv.render(parsed), written)
      assert.strictEqual(parsed.entries.filter((e) => e._tag === "Assignment").length, 1)
    })
  }

  it("keeps the old quoting when it can carry the value, else picks one that can", () => {
    assert.strictEqual(assign("LATCHKEY_API_KEY=\"old\"\n", [[K, "new"]]).text, "LATCHKEY_API_KEY=\"new\"\n")
    assert.strictEqual(assign("LATCHKEY_API_KEY='old'\n", [[K, "new"]]).text, "LATCHKEY_API_KEY='new'\n")
    assert.strictEqual(assign("LATCHKEY_API_KEY=old\n", [[K, "a b"]]).text, "LATCHKEY_API_KEY='a b'\n")
    assert.strictEqual(assign("LATCHKEY_API_KEY='old'\n", [[K, "it's"]]).text, "LATCHKEY_API_KEY=\"it's\"\n")
    assert.strictEqual(assign("LATCHKEY_API_KEY=`old`\n", [[K, "new"]]).text, "LATCHKEY_API_KEY=new\n")
  })

  it("a value no quoting can carry safely is refused, and nothing is written", () => {
    const result = Dotenv.assign("A=1\n", [[K, "it's \"both\"\nand lines"]])
    assert.deepStrictEqual(Either.flip(result).pipe(Either.getOrThrow), { _tag: "Unquotable", name: K })
  })
})
