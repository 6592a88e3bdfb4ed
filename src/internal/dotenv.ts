/**
 * `.env` files as text: `parse` finds the assignments (a value may be quoted with `'`, `"` or
 * `` ` `` and then span lines), `assign` sets some variables and keeps every other byte as it
 * was — comments, order, `export ` prefixes, quoting, CRLF line endings, a missing final newline.
 * Pure functions over strings; reading and writing the file is `Inject`'s job.
 *
 * The syntax is the common subset of the dotenv package, Node's `--env-file` and Docker
 * Compose: `NAME=value`, `export NAME=value`, `NAME: value`, blank lines and `#` comments. A line
 * that is none of these, or a quote that never closes, makes the file unparseable, and then it
 * is not written at all.
 *
 * @example
 * const result = assign("# mine\nexport LATCHKEY_API_KEY='old'\r\nOTHER=1", [["LATCHKEY_API_KEY", "lk_new"]])
 * // result.text === "# mine\nexport LATCHKEY_API_KEY='lk_new'\r\nOTHER=1"
 */
import * as Either from "effect/Either"

export type Quote = "'" | "\"" | "`" | ""

/** One `NAME=value` entry, cut into the pieces a rewrite keeps or replaces. */
export interface Assignment {
  readonly _tag: "Assignment"
  readonly name: string
  /** From the start of the line to the value: indentation, `export `, the name, `=` and spaces. */
  readonly prefix: string
  readonly quote: Quote
  /** The value as written, quotes included (may span lines). */
  readonly rawValue: string
  /** After the value up to the line ending: spaces and an inline `# comment`. */
  readonly suffix: string
  /** `"\n"`, `"\r\n"`, or `""` for a last line without one. */
  readonly eol: string
  /** 1-based line of the entry's start. */
  readonly line: number
}

/** A blank line, a comment, or a bare `export NAME`: kept as it is. */
export interface Other {
  readonly _tag: "Other"
  readonly text: string
}

export type Entry = Assignment | Other

export interface ParseError {
  readonly line: number
  readonly reason: string
}

const BOM = "\uFEFF"
const HEAD = /^([ \t]*(?:export[ \t]+)?)([A-Za-z_][\w.-]*)([ \t]*=[ \t]*|:[ \t]+)/
const BARE_EXPORT = /^[ \t]*export(?:[ \t]+[A-Za-z_][\w.-]*)+[ \t]*(?:#.*)?$/

/** Concatenating the entries (after `bom`) gives back the text, byte for byte. */
export interface Parsed {
  readonly bom: string
  readonly entries: ReadonlyArray<Entry>
}

export const render = (parsed: Parsed): string =>
  parsed.bom + parsed.entries.map((e) => (e._tag === "Other" ? e.text : e.prefix + e.rawValue + e.suffix + e.eol)).join("")

export const parse = (input: string): Either.Either<Parsed, ParseError> => {
  const bom = input.startsWith(BOM) ? BOM : ""
  const text = input.slice(bom.length)
  const entries: Array<Entry> = []
  let pos = 0
  let line = 1
  /** The end of the physical line that starts at or after `from`: [end of content, end with eol]. */
  const lineEnd = (from: number): [number, number] => {
    const nl = text.indexOf("\n", from)
    if (nl === -1) return [text.length, text.length]
    return [nl > from && text[nl - 1] === "\r" ? nl - 1 : nl, nl + 1]
  }
  const countLines = (s: string) => s.split("\n").length - 1
  while (pos < text.length) {
    const [contentEnd, next] = lineEnd(pos)
    const content = text.slice(pos, contentEnd)
    const head = HEAD.exec(content)
    if (head === null) {
      const trimmed = content.trim()
      if (trimmed === "" || trimmed.startsWith("#") || BARE_EXPORT.test(content)) {
        entries.push({ _tag: "Other", text: text.slice(pos, next) })
        pos = next
        line++
        continue
      }
      return Either.left({ line, reason: "not NAME=value, a comment or a blank line" })
    }
    const prefix = head[0]
    const valueStart = pos + prefix.length
    const first = text[valueStart]
    if (first === "'" || first === "\"" || first === "`") {
      // The closing quote may be on a later line; in double quotes a backslash escapes it.
      let i = valueStart + 1
      while (i < text.length && text[i] !== first) i += first === "\"" && text[i] === "\\" ? 2 : 1
      if (i >= text.length) return Either.left({ line, reason: `the ${first} quote never closes` })
      const valueEnd = i + 1
      const [restEnd, restNext] = lineEnd(valueEnd)
      const suffix = text.slice(valueEnd, restEnd)
      if (suffix.trim() !== "" && !/^[ \t]+#/.test(suffix)) {
        return Either.left({ line, reason: "text after the closing quote" })
      }
      const rawValue = text.slice(valueStart, valueEnd)
      entries.push({
        _tag: "Assignment",
        name: head[2]!,
        prefix,
        quote: first,
        rawValue,
        suffix,
        eol: text.slice(restEnd, restNext),
        line
      })
      line += countLines(text.slice(pos, restNext))
      pos = restNext
      continue
    }
    // Unquoted: to the end of the line, less a comment (`#…`, as dotenv and Node read it) and trailing spaces.
    const rest = text.slice(valueStart, contentEnd)
    // A lone CR ends a line for some readers and not for others: too ambiguous to rewrite.
    if (rest.includes("\r")) return Either.left({ line, reason: "a carriage return without a line feed" })
    const comment = /[ \t]*#.*$|[ \t]+$/.exec(rest)
    const rawValue = comment === null ? rest : rest.slice(0, comment.index)
    entries.push({
      _tag: "Assignment",
      name: head[2]!,
      prefix,
      quote: "",
      rawValue,
      suffix: comment === null ? "" : comment[0],
      eol: text.slice(contentEnd, next),
      line
    })
    pos = next
    line++
  }
  return Either.right({ bom, entries })
}

/** Characters that need no quotes for dotenv, Node, Docker Compose, or a shell that sources the file. */
const PLAIN = /^[A-Za-z0-9_\-.:/@+,%=~]*$/

/** `value` written in `quote`, if that quoting can carry it unchanged; `undefined` if not. */
export const quoteAs = (value: string, quote: Quote): string | undefined => {
  switch (quote) {
    case "":
      return PLAIN.test(value) ? value : undefined
    case "'":
      // Literal in every reader, shells included; nothing inside is special but the quote.
      return /['\r\n]/.test(value) ? undefined : `'${value}'`
    case "\"":
      // dotenv and Node turn \n into a newline in double quotes and leave other backslashes
      // alone, and shells expand $ and `: so only values free of those go here.
      return /["\\$`\r]/.test(value) ? undefined : `"${value.replace(/\n/g, "\\n")}"`
    case "`":
      return undefined // a shell would run it; never chosen for a new value
  }
}

/** The way to write `value`: the entry's own quoting when it can carry it, else the first of plain, '…', "…" that can. */
export const quote = (value: string, preferred: Quote = ""): string | undefined =>
  quoteAs(value, preferred) ?? quoteAs(value, "") ?? quoteAs(value, "'") ?? quoteAs(value, "\"")

export interface AssignResult {
  readonly text: string
  /** Per variable, in the order given: replaced in place (every line assigning it), or added at the end. */
  readonly changes: ReadonlyArray<{ readonly name: string; readonly action: "replaced" | "added" }>
}

export type AssignError =
  | { readonly _tag: "Unparseable"; readonly line: number; readonly reason: string }
  | { readonly _tag: "Unquotable"; readonly name: string }

/**
 * Set each `[name, value]` in `input`: every line assigning `name` gets the new value in its own
 * quoting (or the first that can carry it), keeping its prefix, inline comment and line ending;
 * a variable the file lacks is appended, with the file's line ending, after the last line. All
 * other bytes stay as they were, and a file without a final newline still has none.
 */
export const assign = (
  input: string,
  values: ReadonlyArray<readonly [name: string, value: string]>
): Either.Either<AssignResult, AssignError> => {
  const parsed = parse(input)
  if (Either.isLeft(parsed)) return Either.left({ _tag: "Unparseable", ...parsed.left })
  const { bom, entries } = parsed.right
  const wanted = new Map(values)
  const replaced = new Set<string>()
  const out: Array<Entry> = []
  for (const entry of entries) {
    if (entry._tag === "Assignment" && wanted.has(entry.name)) {
      const written = quote(wanted.get(entry.name)!, entry.quote)
      if (written === undefined) return Either.left({ _tag: "Unquotable", name: entry.name })
      out.push({ ...entry, rawValue: written })
      replaced.add(entry.name)
    } else {
      out.push(entry)
    }
  }
  let text = render({ bom, entries: out })
  const missing = values.filter(([name]) => !replaced.has(name))
  if (missing.length > 0) {
    // The file's own line ending: that of its first line.
    const nl = text.indexOf("\n")
    const eol = nl > 0 && text[nl - 1] === "\r" ? "\r\n" : "\n"
    const lines: Array<string> = []
    for (const [name, value] of missing) {
      const written = quote(value)
      if (written === undefined) return Either.left({ _tag: "Unquotable", name })
      lines.push(`${name}=${written}`)
    }
    const body = text.slice(bom.length)
    if (body === "") text = bom + lines.join(eol) + eol
    else if (body.endsWith("\n")) text = text + lines.join(eol) + eol
    else text = text + eol + lines.join(eol) // keep the missing final newline missing
  }
  return Either.right({
    text,
    changes: values.map(([name]) => ({ name, action: replaced.has(name) ? "replaced" as const : "added" as const }))
  })
}
