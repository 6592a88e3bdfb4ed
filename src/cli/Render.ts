/**
 * Output: data to stdout in the chosen format, messages to stderr. YAML's library and jq load
 * only when YAML or `--jq` is asked for.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type { InvalidInput, UsageError } from "../Errors.js"
import type { OutputFormat } from "./Globals.js"
import * as Jq from "./Jq.js"

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
      return Console.log(JSON.stringify(data, null, 2))
    case "jsonl": {
      const lines = (Array.isArray(data) ? data : [data]).map((item) => JSON.stringify(item))
      return lines.length === 0 ? Effect.void : Console.log(lines.join("\n"))
    }
    case "yaml":
      return Effect.promise(() => import("yaml")).pipe(
        // The bundle may see yaml's CommonJS build, whose functions sit on `default`.
        Effect.map((m) => (m.stringify ?? (m as unknown as { default: typeof m }).default.stringify)),
        Effect.flatMap((stringify) => Console.log(stringify(data).trimEnd()))
      )
    case "text": {
      const out = text(data)
      return out.length === 0 ? Effect.void : Console.log(out)
    }
  }
}

/** A message for the person, on stderr. */
export const note = (message: string) => Console.error(message)

/** Left-aligned columns, two spaces apart. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)))
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd())
    .join("\n")
}

export const orDash = (s: string | null | undefined): string => (s === null || s === undefined || s === "" ? "-" : s)
