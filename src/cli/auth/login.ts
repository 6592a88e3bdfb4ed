import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as ApiKeyLogin from "../../ApiKeyLogin.js"
import { Brand } from "../../Brand.js"
import * as Browser from "../../Browser.js"
import * as DeviceLogin from "../../DeviceLogin.js"
import { UsageError } from "../../Errors.js"
import { sanitize } from "../../internal/text.js"
import { Tty } from "../../Tty.js"
import { globals, interactive } from "../Globals.js"
import { note } from "../Render.js"
import { renderLogin } from "./loginOutput.js"
import * as Help from "../Help.js"

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

const left = (millis: number) => {
  const s = Math.max(0, Math.ceil(millis / 1000))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`
}

/**
 * Where to enter the code. The provider's URLs pass the same check as the browser opener's
 * (`Browser.checkUrl`): one that fails it is never shown as a link, only named as refused, with
 * why; "Opened" only when the opener really succeeded, else the URL to open by hand.
 */
export const codeLines = (info: DeviceLogin.CodeInfo): ReadonlyArray<string> => {
  const lines: Array<string> = []
  const check = (raw: string, which: string): Option.Option<string> =>
    Either.match(Browser.checkUrl(raw), {
      onLeft: (why) => (lines.push(`The provider's ${which} was refused: ${sanitize(why)}.`), Option.none()),
      onRight: (url) => Option.some(url.href)
    })
  const uri = check(info.verificationUri, "verification URL")
  const complete = Option.flatMap(info.verificationUriComplete, (raw) => check(raw, "verification URL with the code"))
  if (Option.isSome(info.browser)) {
    const result = info.browser.value
    if (result._tag === "Opened") return [...lines, `Opened ${result.url} in your browser; approve the login there.`]
    if (result._tag === "Failed") lines.push(`Could not open a browser (${sanitize(result.reason)}).`)
  }
  if (Option.isSome(uri)) {
    lines.push(`Open ${uri.value} in a browser and enter the code${Option.isSome(complete) ? `, or open ${complete.value}` : ""}.`)
  } else if (Option.isSome(complete)) {
    lines.push(`Open ${complete.value} in a browser.`)
  } else {
    lines.push("There is no URL to show: enter the code where your provider's documentation says.")
  }
  return lines
}

/** On a terminal: a spinner with the time left, redrawn in place. Otherwise: one plain line. */
const hooks = Effect.gen(function*() {
  const tty = yield* Tty
  return {
    onCode: (info: DeviceLogin.CodeInfo) =>
      Effect.gen(function*() {
        yield* note(`! First copy your one-time code: ${sanitize(info.userCode)}`)
        for (const line of codeLines(info)) yield* note(line)
      }),
    whileWaiting: <A, E, R>(wait: Effect.Effect<A, E, R>, expiresAt: number) =>
      Effect.gen(function*() {
        if (!tty.stderrIsTTY) {
          const now = yield* Clock.currentTimeMillis
          yield* note(`Waiting for approval (the code expires in ${left(expiresAt - now)})…`)
          return yield* wait
        }
        const spinner = yield* Effect.fork(
          Effect.gen(function*() {
            for (let i = 0;; i++) {
              const now = yield* Clock.currentTimeMillis
              yield* tty.writeStderr(`\r${FRAMES[i % FRAMES.length]} Waiting for approval… ${left(expiresAt - now)} left `)
              yield* Effect.sleep(Duration.millis(100))
            }
          })
        )
        return yield* wait.pipe(
          Effect.ensuring(Fiber.interrupt(spinner).pipe(Effect.zipRight(tty.writeStderr("\r\x1b[2K"))))
        )
      })
  }
})

export const login = Command.make(
  "login",
  {
    globals,
    withApiKey: Options.boolean("with-api-key").pipe(
      Options.withDescription("Read an API key from standard input instead of logging in through the browser")
    ),
    noSwitch: Options.boolean("no-switch").pipe(Options.withDescription("Store the profile without making it current")),
    team: Options.text("team").pipe(
      Options.withPseudoName("team"),
      Options.withDescription("Team to act for: id or slug, else slug or name ignoring case"),
      Options.optional
    ),
    noBrowser: Options.boolean("no-browser").pipe(Options.withDescription("Do not open a browser; print the URL only")),
    web: Options.boolean("web").pipe(Options.withDescription("Log in through the browser without any prompt")),
    insecureStorage: Options.boolean("insecure-storage").pipe(
      Options.withDescription("Store the credential in the plaintext 0600 file instead of the OS keyring")
    )
  },
  ({ globals: g, insecureStorage, noBrowser, noSwitch, team, web, withApiKey }) =>
    Effect.gen(function*() {
      const brand = yield* Brand
      const canPrompt = yield* interactive(g)
      if (withApiKey) {
        if (web || Option.isSome(team)) {
          return yield* new UsageError({ reason: "--with-api-key does not go with --web or --team" })
        }
        const result = yield* ApiKeyLogin.withApiKey({
          profile: g.profile,
          project: g.project,
          noSwitch,
          interactive: canPrompt,
          insecure: insecureStorage
        })
        return yield* renderLogin(g.output, result, brand.name)
      }
      if (web && noBrowser) return yield* new UsageError({ reason: "--web and --no-browser exclude each other" })
      const h = yield* hooks
      const result = yield* DeviceLogin.login(
        {
          profile: g.profile,
          team,
          project: g.project,
          noSwitch,
          openBrowser: web || (canPrompt && !noBrowser),
          // --web: browser login without prompts.
          interactive: canPrompt && !web,
          insecure: insecureStorage
        },
        h
      )
      yield* renderLogin(g.output, result, brand.name)
    })
).pipe(
  Command.withDescription("Log in through the browser and store a profile"),
  Help.withHelp({
    details: "Uses the OAuth 2.0 device flow, then asks for the team and project on a terminal. --with-api-key reads an API key from standard input instead.",
    examples: [
      { args: "", about: "Log in; on a terminal, choose the team and project" },
      { args: "--team acme --project prj_acme_web --profile work" },
      { args: "--with-api-key < key.txt", about: "Store an API key read from a file" }
    ],
    env: ["apiUrl", "keyring", "configDir", "ci"]
  })
)
