/**
 * The reference CLI: its command tree, and `run`, which turns every outcome into an exit code
 * (README, "Exit codes"). Expected errors print one line; defects print a stack only with -v.
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Brand } from "../Brand.js"
import { ExitCode, exitCode, type LatchkeyError } from "../Errors.js"
import { sanitize } from "../internal/text.js"
import { inject } from "./auth/inject.js"
import { login } from "./auth/login.js"
import { get as authGet, list as authList } from "./auth/list.js"
import { logout } from "./auth/logout.js"
import { migrateSecrets } from "./auth/migrateSecrets.js"
import { setKey } from "./auth/setKey.js"
import { status } from "./auth/status.js"
import { token } from "./auth/token.js"
import { printToken, refresh, whoami } from "./auth/tokens.js"
import { switchCommand, use as authUse } from "./auth/use.js"
import { environments } from "./environments/commands.js"
import { authProject, projects } from "./projects/commands.js"
import { sandbox } from "./sandbox.js"
import { teams } from "./teams/commands.js"

export const auth = Command.make("auth").pipe(
  Command.withDescription("Log in, manage profiles and credentials"),
  Command.withSubcommands([
    login,
    token,
    setKey,
    status,
    authList,
    authGet,
    authUse,
    switchCommand,
    logout,
    authProject,
    printToken,
    whoami,
    refresh,
    inject,
    migrateSecrets
  ])
)

/** The root command, named after the brand. */
export const makeRoot = (name: string) =>
  Command.make(name).pipe(
    Command.withDescription("Standards-based authentication for a platform's CLI"),
    Command.withSubcommands([auth, projects, teams, environments, sandbox])
  )

const isLatchkeyError = (e: unknown): e is LatchkeyError =>
  typeof e === "object" && e !== null && "_tag" in e && typeof (e as { message?: unknown }).message === "string"

/**
 * Run the CLI on `argv` (without node and script) and return the exit code. Never fails:
 * every error has been reported on stderr by the time it returns.
 */
export const run = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const brand = yield* Brand
    const cli = Command.run(makeRoot(brand.name), { name: brand.name, version: brand.version, executable: brand.name })
    const verbose = argv.includes("-v") || argv.includes("--verbose")
    return yield* cli(["node", brand.name, ...argv]).pipe(
      Effect.as(ExitCode.Ok as number),
      Effect.catchAllCause((cause) =>
        Effect.gen(function*() {
          const failure = Cause.failureOption(cause)
          if (failure._tag === "Some") {
            const error: unknown = failure.value
            // @effect/cli has already printed what was wrong with the command line.
            if (ValidationError.isValidationError(error)) return ExitCode.Usage
            if (typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "SilentExit") {
              return (error as unknown as { code: number }).code
            }
            if (isLatchkeyError(error)) {
              // One line, whatever the message holds (a server's reason, a name from a hand-edited file).
              yield* Console.error(`${brand.name}: ${sanitize(error.message)}`)
              return exitCode(error)
            }
          }
          if (Cause.isInterruptedOnly(cause)) return ExitCode.Cancelled
          yield* Console.error(`${brand.name}: unexpected error${verbose ? "" : " (run again with --verbose for details)"}`)
          if (verbose) yield* Console.error(Cause.pretty(cause))
          return ExitCode.Error
        })
      )
    )
  })
