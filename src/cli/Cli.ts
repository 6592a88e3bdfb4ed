/**
 * The reference CLI: its command tree, and `run`, which turns every outcome into an exit code
 * (README, "Exit codes"). Expected errors print one line; defects print a stack only with -v.
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as Descriptor from "@effect/cli/CommandDescriptor"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Terminal from "@effect/platform/Terminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { Brand } from "../Brand.js"
import { ExitCode, exitCode, type LatchkeyError } from "../Errors.js"
import { sanitize, truncate } from "../internal/text.js"
import { Tty } from "../Tty.js"
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
import * as CommandLine from "./CommandLine.js"
import { globals } from "./Globals.js"
import * as Help from "./Help.js"
import * as Messages from "./Messages.js"
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
  ]),
  Help.withHelp({ examples: [{ args: "login" }, { args: "status -o json" }] })
)

/** The root command, named after the brand. */
export const makeRoot = (name: string) =>
  Command.make(name).pipe(
    Command.withDescription("Standards-based authentication for a platform's CLI"),
    Command.withSubcommands([auth, projects, teams, environments, sandbox]),
    Help.withHelp({
      details: "Global options may stand anywhere on the command line.",
      env: ["apiKey", "profile", "useProfile", "projectId", "apiUrl", "configDir", "keyring", "ci"],
      examples: [{ args: "auth login" }, { args: "-o json auth status" }, { args: "auth print-token --profile work" }]
    })
  )

type Root = ReturnType<typeof makeRoot>
/** What running the root command needs: its verbs' services and @effect/cli's. */
type Requirements = Effect.Effect.Context<ReturnType<Root["handler"]>> | CliApp.CliApp.Environment | Brand | Tty

const isLatchkeyError = (e: unknown): e is LatchkeyError =>
  typeof e === "object" && e !== null && "_tag" in e && typeof (e as { message?: unknown }).message === "string"

/** A usage error: one line naming the problem, one saying where the usage is; exit 2. */
const usageError = (name: string, path: ReadonlyArray<Help.Node>, message: string) =>
  Effect.gen(function*() {
    const full = [name, ...path.slice(1).map((n) => n.name)].join(" ")
    yield* Console.error(`${name}: ${sanitize(message)}`)
    yield* Console.error(`Run '${full} --help' for usage.`)
    return ExitCode.Usage as number
  })

/** @effect/cli's message for a bad command line, on one line, without what argv smuggled in. */
const oneLine = (doc: HelpDoc.HelpDoc) =>
  truncate(sanitize(Help.docText(doc).replace(/\s+/g, " ").trim()), 300).replace(/ is not a integer\b/, " is not an integer")

const printHelp = (path: ReadonlyArray<Help.Node>, ctx: Help.Context) =>
  Effect.gen(function*() {
    const tty = yield* Tty
    const columns = yield* Effect.serviceOption(Terminal.Terminal).pipe(
      Effect.flatMap(Option.match({ onNone: () => Effect.succeed(0), onSome: (t) => t.columns }))
    )
    yield* Console.log(Help.render(path, ctx, yield* Help.style(tty.stdoutIsTTY, columns)))
    return ExitCode.Ok as number
  })

/**
 * Run the CLI on `argv` (without node and script) and return the exit code. Never fails:
 * every error has been reported on stderr by the time it returns.
 */
export const run = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const brand = yield* Brand
    // The words of every notice and hint: the embedder's `Messages`, else latchkey's verbs.
    const messages = yield* Messages.current(brand.name)
    const root = makeRoot(brand.name)
    const tree = Help.tree(root)
    const globalOptions = Help.options(globals)
    const ctx: Help.Context = { name: brand.name, version: brand.version, env: brand.env, globals: globalOptions }
    const verbose = argv.includes("-v") || argv.includes("--verbose")
    const line = CommandLine.resolve(tree, globalOptions, argv)
    const execute: Effect.Effect<number, unknown, Requirements> = Effect.gen(function*() {
      switch (line._tag) {
        case "Help":
          return yield* printHelp(line.path, ctx)
        case "Version":
          yield* Console.log(brand.version)
          return ExitCode.Ok
        case "UnknownOption":
          return yield* usageError(brand.name, line.path, `unknown option '${truncate(sanitize(line.token), 60)}'`)
        case "Unknown": {
          const group = line.path[line.path.length - 1]!
          const full = [brand.name, ...line.path.slice(1).map((n) => n.name)].join(" ")
          const hint = line.suggestions.length > 0 ? `; did you mean ${line.suggestions.map((s) => `'${s}'`).join(" or ")}?` : ""
          yield* Console.error(`${brand.name}: unknown command '${truncate(sanitize(line.token), 60)}' for '${full}'${hint}`)
          yield* Console.error(Help.wrap(`Available commands: ${group.children.map((c) => c.name).join(", ")}`, 80, 2).join("\n"))
          yield* Console.error(`Run '${full} --help' for usage.`)
          return ExitCode.Usage
        }
        case "Completions": {
          if (line.shell === undefined) {
            return yield* usageError(brand.name, [tree], "--completions needs a shell: bash, zsh or fish")
          }
          const lines = yield* (line.shell === "bash"
            ? Descriptor.getBashCompletions(root.descriptor, brand.name)
            : line.shell === "zsh"
            ? Descriptor.getZshCompletions(root.descriptor, brand.name)
            : Descriptor.getFishCompletions(root.descriptor, brand.name))
          yield* Console.log(CommandLine.completionScript(line.shell, brand.name, lines).join("\n"))
          return ExitCode.Ok
        }
        case "BuiltIn": {
          // The hidden --wizard and --log-level: @effect/cli's own handling.
          const cli = Command.run(root, { name: brand.name, version: brand.version, executable: brand.name })
          yield* cli(["node", brand.name, ...argv]).pipe(Effect.provideService(CliConfig.CliConfig, CommandLine.cliConfig))
          return ExitCode.Ok
        }
        case "Run": {
          const parsed = yield* Effect.either(Descriptor.parse(root.descriptor, line.args, CommandLine.cliConfig))
          if (Either.isLeft(parsed)) return yield* usageError(brand.name, line.path, oneLine(parsed.left.error))
          const directive = parsed.right
          if (directive._tag === "BuiltIn") {
            switch (directive.option._tag) {
              case "ShowHelp":
                return yield* printHelp(line.path, ctx)
              case "ShowVersion":
                yield* Console.log(brand.version)
                return ExitCode.Ok
              case "ShowCompletions":
                return yield* usageError(brand.name, line.path, `--completions goes right after '${brand.name}', as in '${brand.name} --completions bash'`)
              default:
                return yield* usageError(brand.name, line.path, "this option goes before the command")
            }
          }
          if (directive.leftover.length > 0) {
            return yield* usageError(brand.name, line.path, CommandLine.leftover(directive.leftover[0]!, line.path[line.path.length - 1]!))
          }
          yield* root.transform(root.handler(directive.value), directive.value)
          return ExitCode.Ok
        }
      }
    })
    return yield* execute.pipe(
      // Library code reports what happened as notices; the CLI prints each one as it comes.
      Effect.provide(Messages.layerNotices(messages)),
      Effect.provideService(Messages.Messages, messages),
      // Ctrl-C outside a prompt (a SIGINT, which runMain turns into an interruption): the
      // finalizers have run (the spinner's line is erased), so the line is said last. A prompt's
      // Ctrl-C is a keypress in raw mode and arrives as `Cancelled`, which says the same below.
      // `sandbox` serves until interrupted: Ctrl-C is how it ends, not a cancellation.
      Effect.onInterrupt(() =>
        line._tag === "Run" && line.path[1]?.name === "sandbox" ? Effect.void : Console.error(`${brand.name}: cancelled`)
      ),
      Effect.catchAllCause((cause) =>
        Effect.gen(function*() {
          const failure = Cause.failureOption(cause)
          if (failure._tag === "Some") {
            const error: unknown = failure.value
            if (ValidationError.isValidationError(error)) {
              return yield* usageError(brand.name, line._tag === "Run" ? line.path : [tree], oneLine(error.error))
            }
            if (typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "SilentExit") {
              return (error as unknown as { code: number }).code
            }
            if (isLatchkeyError(error)) {
              // A verb's own usage error (a missing value where it may not prompt, flags that
              // exclude each other) reads like the parser's: the line, then where the usage is.
              if (error._tag === "UsageError" && line._tag === "Run") {
                return yield* usageError(brand.name, line.path, messages.error(error))
              }
              // One line, whatever the message holds (a server's reason, a name from a hand-edited file).
              yield* Console.error(`${brand.name}: ${sanitize(messages.error(error))}`)
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
