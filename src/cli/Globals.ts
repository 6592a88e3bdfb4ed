/**
 * Options every leaf command accepts, wherever they stand on the command line
 * (`latchkey auth status --profile ci -o json`), and what they mean for this invocation.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Credentials from "../Credentials.js"
import { sanitize, truncate } from "../internal/text.js"
import * as Settings from "../Settings.js"
import { Tty } from "../Tty.js"

export const FORMATS = ["text", "json", "yaml", "jsonl", "none"] as const
export type Format = typeof FORMATS[number]
const isFormat = (value: string): value is Format => (FORMATS as ReadonlyArray<string>).includes(value)

/** `--jq EXPR`: the JSON payload filtered through jq (see Jq.ts). */
export interface JqOutput {
  readonly jq: string
}
/** How a command prints its result: one of the `-o` formats, or through `--jq`. */
export type OutputFormat = Format | JqOutput

export const globals = Options.all({
  profile: Options.text("profile").pipe(
    Options.withPseudoName("name"),
    Options.withDescription("Use this stored profile; beats the API-key and profile environment variables and the current profile"),
    Options.optional
  ),
  project: Options.text("project").pipe(
    Options.withPseudoName("id"),
    Options.withDescription("Project for this command; beats the project environment variable and the profile's project"),
    Options.optional
  ),
  // Text rather than a choice, so that a wrong value is refused naming the option (the library's
  // own message names neither the option nor the value).
  output: Options.text("output").pipe(
    Options.withPseudoName(FORMATS.join("|")),
    Options.withAlias("o"),
    Options.withDescription("Output format: text, json, yaml, jsonl (one object per line, one line per list item) or none (nothing on stdout)"),
    Options.optional
  ),
  jq: Options.text("jq").pipe(
    Options.withPseudoName("expr"),
    Options.withAlias("q"),
    Options.withDescription("Filter the JSON output through this jq expression; strings print raw"),
    Options.optional
  ),
  interactive: Options.boolean("interactive").pipe(
    Options.withDescription("Prompt even when standard input or output is not a terminal")
  ),
  noInteractive: Options.boolean("no-interactive").pipe(
    Options.withDescription("Never prompt (the default when not on a terminal or when CI is set)")
  ),
  verbose: Options.boolean("verbose").pipe(Options.withAlias("v"), Options.withDescription("Show details of failures"))
}).pipe(
  Options.mapEffect(({ jq, output, ...g }) => {
    if (g.interactive && g.noInteractive) {
      return Effect.fail(ValidationError.invalidValue(HelpDoc.p("--interactive and --no-interactive exclude each other")))
    }
    if (Option.isSome(output) && !isFormat(output.value)) {
      return Effect.fail(ValidationError.invalidValue(HelpDoc.p(
        `--output must be one of ${FORMATS.join(", ")}, not '${truncate(sanitize(output.value), 40)}'`
      )))
    }
    // --jq means JSON: it goes with -o json or jsonl, and any other explicit format is a usage error.
    if (Option.isSome(jq) && Option.isSome(output) && output.value !== "json" && output.value !== "jsonl") {
      return Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--jq prints JSON; it does not go with -o ${output.value}`)))
    }
    const format: OutputFormat = Option.isSome(jq)
      ? { jq: jq.value }
      : Option.getOrElse(Option.filter(output, isFormat), (): Format => "text")
    return Effect.succeed({ ...g, output: format })
  })
)

export type Globals = typeof globals extends Options.Options<infer A> ? A : never

export const flags = (g: Globals): Credentials.Flags => ({ profile: g.profile, project: g.project })

/** May this invocation prompt? Only with both stdin and stdout on a terminal and CI unset, unless a flag says. */
export const interactive = (g: Globals) =>
  Effect.gen(function*() {
    if (g.noInteractive) return false
    if (g.interactive) return true
    const tty = yield* Tty
    const env = yield* Settings.read
    return tty.stdinIsTTY && tty.stdoutIsTTY && !env.ci
  })
