/**
 * Output: data to stdout in the chosen format, messages to stderr. YAML's library and jq load
 * only when YAML or `--jq` is asked for.
 *
 * The last line of defence against escape sequences: what the platform sends is cleaned as it is
 * decoded, but a hand-edited config file is not, so every line printed here is cleaned again
 * (text and notes), and JSON writes the characters a terminal would act on as `\u` escapes.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type { InvalidInput, UsageError } from "../Errors.js"
import { sanitize } from "../internal/text.js"
import type { OutputFormat } from "./Globals.js"
import * as Jq from "./Jq.js"

/** `text` with each line cleaned of escape sequences and control characters, the newlines between lines kept. */
export const clean = (text: string): string => text.split("\n").map(sanitize).join("\n")

// JSON.stringify escapes C0 controls but leaves DEL, C1 controls and bidi controls raw.
const UNESCAPED = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** JSON in which no character a terminal acts on appears raw; the data is unchanged. */
export const safeJson = (data: unknown, indent = 2): string =>
  (JSON.stringify(data, null, indent) ?? "null").replace(UNESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** `value` with every string in it cleaned (for YAML, whose library prints C1 and bidi controls raw). */
const cleanDeep = (value: unknown): unknown => {
  if (typeof value === "string") return sanitize(value)
  if (Array.isArray(value)) return value.map(cleanDeep)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitize(k), cleanDeep(v)]))
  }
  return value
}

/**
 * Print `data` as JSON, JSON lines (a list: one line per item), YAML, through `--jq`, not at all
 * (`none`), or as the lines `text` makes of it.
 */
export const emit = <A>(format: OutputFormat, data: A, text: (a: A) => string): Effect.Effect<void, UsageError | InvalidInput> => {
  if (typeof format === "object") {
    return Jq.print(format.jq, data)
  }
  switch (format) {
    case "none":
      return Effect.void
    case "json":
      return Console.log(safeJson(data))
    case "jsonl": {
      const lines = (Array.isArray(data) ? data : [data]).map((item) => safeJson(item, 0))
      return lines.length === 0 ? Effect.void : Console.log(lines.join("\n"))
    }
    case "yaml":
      return Effect.promise(() => import("yaml")).pipe(
        // The bundle may see yaml's CommonJS build, whose functions sit on `default`.
        Effect.map((m) => (m.stringify ?? (m as unknown as { default: typeof m }).default.stringify)),
        Effect.flatMap((stringify) => Console.log(stringify(cleanDeep(data)).trimEnd()))
      )
    case "text": {
      const out = text(data)
      return out.length === 0 ? Effect.void : Console.log(clean(out))
    }
  }
}

/** A message for the person, on stderr, cleaned line by line. */
export const note = (message: string) => Console.error(clean(message))

/** Left-aligned columns, two spaces apart. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)))
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd())
    .join("\n")
}

export const orDash = (s: string | null | undefined): string => (s === null || s === undefined || s === "" ? "-" : s)
