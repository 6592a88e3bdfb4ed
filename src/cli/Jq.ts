/**
 * `--jq EXPR`: a command's JSON payload filtered through jq itself — jq 1.8 compiled to
 * WebAssembly (the jq-wasm package) — printing strings raw and other values as compact JSON, one
 * per line, as gh's `--jq` does. jq is loaded only when `--jq` is given: it stays outside the
 * bundle (scripts/build.mjs) and is required on first use, so other commands never pay for it.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as JqWasm from "jq-wasm"
import { InvalidInput, UsageError } from "../Errors.js"
import * as external from "../internal/external.js"
import { sanitize, truncate } from "../internal/text.js"

let instance: Promise<JqWasm.Jq> | undefined

const load = () =>
  (instance ??= external.load(() => require("jq-wasm") as typeof JqWasm, () => import("jq-wasm")).then((m) => m.loadJq()))

/** jq's exit status for a program that does not compile (jq 1.8 manual, "Exit status"). */
const COMPILE_ERROR = 3

/** The first line of jq's complaint, without its `jq: error…:` preamble, fit for one line of ours. */
const firstLine = (stderr: string): string =>
  truncate(sanitize((stderr.split("\n").find((l) => l.trim() !== "") ?? "").replace(/^jq: error(?: \(at [^)]*\))?: /, "").replace(/:$/, "")), 200)

const named = (expression: string) => `'${truncate(sanitize(expression), 80)}'`

/** Print `data` filtered through `expression`. A program jq cannot compile is a usage error (2); one that fails on this data, an error (1) after what it printed. */
export const print = (expression: string, data: unknown) =>
  Effect.gen(function*() {
    const jq = yield* Effect.tryPromise({
      try: load,
      catch: (e) => new InvalidInput({ reason: `--jq needs jq-wasm, which could not be loaded: ${sanitize(e instanceof Error ? e.message : String(e))}` })
    })
    const result = jq.raw(JSON.stringify(data), expression, ["--raw-output", "--compact-output"])
    if (result.exitCode === COMPILE_ERROR) {
      return yield* new UsageError({ reason: `invalid --jq expression ${named(expression)}: ${firstLine(result.stderr)}` })
    }
    const out = result.stdout.endsWith("\n") ? result.stdout.slice(0, -1) : result.stdout
    // Raw strings reach the terminal as they are: escape sequences and controls go, tabs (@tsv) stay.
    if (out.length > 0) yield* Console.log(out.split("\n").map((line) => line.split("\t").map(sanitize).join("\t")).join("\n"))
    if (result.exitCode !== 0) {
      return yield* new InvalidInput({
        reason: `--jq ${named(expression)} failed${result.stderr.trim() === "" ? ` (jq exit status ${result.exitCode})` : `: ${firstLine(result.stderr)}`}`
      })
    }
    // What the program wrote to stderr on purpose (debug, stderr): passed on, made printable.
    for (const line of result.stderr.split("\n")) if (line.trim() !== "") yield* Console.error(sanitize(line))
  })
