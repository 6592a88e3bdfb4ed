/**
 * Opening a URL in the user's browser — a URL that a server chose (the device flow's
 * `verification_uri_complete`), so this is the one place that decides what may be opened and how.
 *
 * - `checkUrl`: only absolute `https:` URLs, or `http:` on a loopback host; no user name or
 *   password, no control characters or white space, at most `MAX_URL` characters. Everything else
 *   (`javascript:`, `file:`, `smb:`, `data:`, a relative URL, `--renderer-cmd-prefix=…`) is refused
 *   before anything runs.
 * - The opener: `$BROWSER` split into words the way a POSIX shell would (quotes and backslashes,
 *   no expansions), as gh does; a word `%s` is replaced by the URL, else the URL is the last
 *   argument; on POSIX a `:`-separated list is tried in turn, as xdg-open and Python's webbrowser
 *   do. Without `$BROWSER`: `xdg-open`, `open` (macOS), `rundll32 url.dll,FileProtocolHandler`
 *   (Windows; `cmd /c start` would let cmd.exe read `&` in the URL). Spawned without a shell, the
 *   URL always its own argument, and — being `http(s):…` — never one that starts with `-`.
 * - Success means the opener exited 0, or is still running `EXIT_WAIT` after it started (a browser
 *   binary that stays in the foreground). Not found, a non-zero status or a signal is `Failed`.
 *
 * Hand-written rather than the `open` package: `open` ignores `$BROWSER`, checks no scheme, and
 * (without `wait`) reports success once the process spawned — the very bug of `xdg-open` exiting 3
 * — while `wait` blocks until the browser quits; it also brings six dependencies and a bundled
 * `xdg-open` that an esbuild bundle cannot use.
 *
 * @example
 * const browser = yield* Browser
 * const result = yield* browser.open("https://id.example.com/device?user_code=ABCD-EFGH")
 * if (result._tag !== "Opened") yield* Console.error(`open it by hand (${result.reason})`)
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { spawn as nodeSpawn } from "node:child_process"
import { isClean } from "./internal/text.js"
import { isLoopback } from "./Urls.js"

/** What asking for a URL to be opened came to. */
export type OpenResult = Data.TaggedEnum<{
  /** The opener ran: `url` is the normalised URL it was given, `command` its name. */
  Opened: { readonly url: string; readonly command: string }
  /** The URL was acceptable but no opener succeeded; show it to be opened by hand. */
  Failed: { readonly url: string; readonly reason: string }
  /** The URL itself was refused by `checkUrl`; nothing ran. */
  Refused: { readonly reason: string }
}>
export const OpenResult = Data.taggedEnum<OpenResult>()

export interface BrowserShape {
  readonly open: (url: string) => Effect.Effect<OpenResult>
}

export class Browser extends Context.Tag("latchkey/Browser")<Browser, BrowserShape>() {}

/** Longest URL latchkey will open; a verification URL is a few dozen characters. */
export const MAX_URL = 2048

/** How long to wait for an opener's exit status before taking "still running" as success. */
export const EXIT_WAIT = Duration.seconds(2)

/**
 * The URL as it may be opened, or why not. Pure: the same rule decides what the live opener
 * runs and what the CLI shows as a link.
 */
export const checkUrl = (raw: string): Either.Either<URL, string> => {
  if (raw.length === 0) return Either.left("it is empty")
  if (raw.length > MAX_URL) return Either.left(`it is longer than ${MAX_URL} characters`)
  if (raw.startsWith("-")) return Either.left("it starts with -, as a command-line option would")
  // WHATWG parsing would silently drop leading spaces and inner tabs/newlines: refuse instead.
  if (!isClean(raw) || /\s/.test(raw)) return Either.left("it contains control characters or white space")
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return Either.left("it is not an absolute URL")
  }
  if (url.protocol === "http:") {
    if (!isLoopback(url.hostname)) return Either.left("http: is opened only on a loopback host (127.0.0.1, ::1, localhost); use https:")
  } else if (url.protocol !== "https:") {
    return Either.left(`its scheme is ${url.protocol.slice(0, 20)} and only https: is opened`)
  }
  if (url.username !== "" || url.password !== "") return Either.left("it carries a user name or password")
  if (url.hostname === "") return Either.left("it has no host")
  return Either.right(url)
}

/**
 * `$BROWSER` as the commands to try, each a list of words: split as a POSIX shell splits words
 * (single quotes, double quotes with `\` escapes, `\` outside quotes; no variables, no globs), and
 * on POSIX at `:` outside quotes into alternatives. Left: why the value cannot be used.
 */
export const parseBrowserEnv = (
  value: string,
  platform: NodeJS.Platform = process.platform
): Either.Either<ReadonlyArray<ReadonlyArray<string>>, string> => {
  const windows = platform === "win32"
  const commands: Array<Array<string>> = []
  let words: Array<string> = []
  let word = ""
  let inWord = false
  let quote: "'" | "\"" | null = null
  const endWord = () => {
    if (inWord) words.push(word)
    word = ""
    inWord = false
  }
  const endCommand = () => {
    endWord()
    if (words.length > 0) commands.push(words)
    words = []
  }
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!
    if (quote === "'") {
      if (c === "'") quote = null
      else word += c
    } else if (quote === "\"") {
      if (c === "\"") quote = null
      else if (c === "\\" && i + 1 < value.length && "\"\\$`".includes(value[i + 1]!)) word += value[++i]
      else word += c
    } else if (c === "'" || c === "\"") {
      quote = c
      inWord = true
    } else if (c === "\\" && !windows) {
      if (i + 1 < value.length) word += value[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      endWord()
    } else if (c === ":" && !windows) {
      endCommand()
    } else {
      word += c
      inWord = true
    }
  }
  if (quote !== null) return Either.left("$BROWSER has an unterminated quote")
  endCommand()
  return Either.right(commands)
}

/** The argv for one command: a word `%s` becomes the URL, else the URL goes last, always as one argument. */
export const argv = (words: ReadonlyArray<string>, url: string): ReadonlyArray<string> =>
  words.includes("%s") ? words.map((w) => (w === "%s" ? url : w)) : [...words, url]

/** The platform's own opener, when `$BROWSER` is unset or empty. */
export const platformOpener = (platform: NodeJS.Platform): ReadonlyArray<string> =>
  platform === "darwin"
    ? ["open"]
    : platform === "win32"
    ? ["rundll32", "url.dll,FileProtocolHandler"]
    : ["xdg-open"]

/** How running one opener ended, as far as it was waited for. */
export type Outcome = Data.TaggedEnum<{
  /** It could not be started (not found, not executable). */
  NotStarted: { readonly reason: string }
  Exited: { readonly code: number | null; readonly signal: string | null }
}>
export const Outcome = Data.taggedEnum<Outcome>()

/**
 * Start `command` with `args` (no shell) and complete when it ends; when interrupted (the wait
 * is over), leave it running on its own.
 */
export type Spawn = (command: string, args: ReadonlyArray<string>) => Effect.Effect<Outcome>

/** The exit-status policy: exit 0, or still running after `EXIT_WAIT`, is success. */
const runOne = (spawn: Spawn, words: ReadonlyArray<string>, url: string): Effect.Effect<Option.Option<string>> => {
  const [command, ...args] = argv(words, url)
  const name = `\`${command}\``
  return spawn(command!, args).pipe(
    Effect.timeoutTo({
      duration: EXIT_WAIT,
      onTimeout: () => Option.none<string>(),
      onSuccess: Outcome.$match({
        NotStarted: ({ reason }) => Option.some(`${name} ${reason}`),
        Exited: ({ code, signal }) =>
          code === 0
            ? Option.none()
            : Option.some(signal !== null ? `${name} was ended by ${signal}` : `${name} exited with status ${code}`)
      })
    })
  )
}

export interface Options {
  /** The value of `$BROWSER`, if any. */
  readonly browserEnv: Option.Option<string>
  readonly platform: NodeJS.Platform
  readonly spawn: Spawn
}

/** A Browser over a given way of spawning: the live layer and the tests share the policy. */
export const make = (options: Options): BrowserShape => ({
  open: (raw) =>
    Effect.gen(function*() {
      const checked = checkUrl(raw)
      if (Either.isLeft(checked)) return OpenResult.Refused({ reason: checked.left })
      const url = checked.right.href
      const custom = Option.filter(options.browserEnv, (v) => v.trim().length > 0)
      const parsed = Option.isSome(custom)
        ? parseBrowserEnv(custom.value, options.platform)
        : Either.right([platformOpener(options.platform)])
      if (Either.isLeft(parsed)) return OpenResult.Failed({ url, reason: parsed.left })
      const failures: Array<string> = []
      for (const words of parsed.right) {
        const failure = yield* runOne(options.spawn, words, url)
        if (Option.isNone(failure)) return OpenResult.Opened({ url, command: words[0]! })
        failures.push(failure.value)
      }
      return OpenResult.Failed({ url, reason: failures.join("; ") || "$BROWSER names no command" })
    })
})

const describeSpawnError = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code
  return code === "ENOENT" ? "was not found" : code === "EACCES" ? "is not executable" : `could not be started (${typeof code === "string" ? code : "error"})`
}

/** Node's child_process, without a shell. */
export const spawnNode: Spawn = (command, args) =>
  Effect.async<Outcome>((resume) => {
    let done = false
    const finish = (outcome: Outcome) => {
      if (!done) (done = true, resume(Effect.succeed(outcome)))
    }
    let child: ReturnType<typeof nodeSpawn>
    try {
      // Detached, and unreferenced once we stop waiting: a browser may outlive the CLI.
      child = nodeSpawn(command, [...args], { stdio: "ignore", detached: true, shell: false })
    } catch (e) {
      finish(Outcome.NotStarted({ reason: describeSpawnError(e) }))
      return
    }
    child.once("error", (e) => finish(Outcome.NotStarted({ reason: describeSpawnError(e) })))
    child.once("exit", (code, signal) => finish(Outcome.Exited({ code, signal })))
    return Effect.sync(() => child.unref())
  })

/** The live opener: `$BROWSER` (read when opening) or the platform's, through `spawnNode`. */
export const layer: Layer.Layer<Browser> = Layer.succeed(
  Browser,
  Browser.of({
    open: (url) =>
      Config.option(Config.string("BROWSER")).pipe(
        Effect.orElseSucceed(() => Option.none<string>()),
        Effect.flatMap((browserEnv) => make({ browserEnv, platform: process.platform, spawn: spawnNode }).open(url))
      )
  })
)

/** For tests: the same URL rule, and the URLs that would have been opened, kept in order. */
export const makeRecording = Effect.gen(function*() {
  const opened = yield* Ref.make<ReadonlyArray<string>>([])
  const browser = Browser.of({
    open: (raw) =>
      Either.match(checkUrl(raw), {
        onLeft: (reason) => Effect.succeed(OpenResult.Refused({ reason })),
        onRight: (url) =>
          Ref.update(opened, (o) => [...o, url.href]).pipe(Effect.as(OpenResult.Opened({ url: url.href, command: "test" })))
      })
  })
  return { browser, opened: Ref.get(opened) }
})
