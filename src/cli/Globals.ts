/**
 * Options every leaf command accepts, wherever they stand on the command line
 * (`latchkey auth status --profile ci -o json`), and what they mean for this invocation.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import type * as Credentials from "../Credentials.js"
import * as Settings from "../Settings.js"
import { Tty } from "../Tty.js"

export type OutputFormat = "text" | "json" | "yaml"

export const globals = Options.all({
  profile: Options.text("profile").pipe(
    Options.withDescription("Use this stored profile; beats the API-key and profile environment variables and the current profile"),
    Options.optional
  ),
  project: Options.text("project").pipe(
    Options.withDescription("Project for this command; beats the project environment variable and the profile's project"),
    Options.optional
  ),
  output: Options.choice("output", ["text", "json", "yaml"] as const).pipe(
    Options.withAlias("o"),
    Options.withDescription("Output format"),
    Options.withDefault("text" as OutputFormat)
  ),
  interactive: Options.boolean("interactive").pipe(
    Options.withDescription("Prompt even when standard input or output is not a terminal")
  ),
  noInteractive: Options.boolean("no-interactive").pipe(
    Options.withDescription("Never prompt (the default when not on a terminal or when CI is set)")
  ),
  verbose: Options.boolean("verbose").pipe(Options.withAlias("v"), Options.withDescription("Show details of failures"))
}).pipe(
  Options.mapEffect((g) =>
    g.interactive && g.noInteractive
      ? Effect.fail(ValidationError.invalidValue(HelpDoc.p("--interactive and --no-interactive exclude each other")))
      : Effect.succeed(g)
  )
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
