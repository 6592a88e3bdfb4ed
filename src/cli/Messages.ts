/**
 * The one place that turns the library's notices and hints into text, with the CLI's own verb and
 * flag names. Library code says *what* happened (`Notice`) and *what would help* (`Hint`); this
 * module says it in words. An embedder that calls its login verb `login` rather than `auth login`
 * changes one field of `Names`:
 *
 * ```ts
 * const messages = Messages.make({ ...Messages.names("inf"), login: "login" })
 * run(argv).pipe(Effect.provideService(Messages.Messages, messages))
 * ```
 */
import * as Context from "effect/Context"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Hint, LatchkeyError } from "../Errors.js"
import * as Notice from "../Notice.js"

/** The words of the CLI that messages quote: its name, its verbs (after the name), its flags. */
export interface Names {
  readonly cli: string
  readonly login: string
  readonly token: string
  readonly use: string
  readonly list: string
  readonly inject: string
  readonly environmentsAdd: string
  readonly environmentsList: string
  readonly projectsList: string
  readonly teamsList: string
  readonly profileFlag: string
  readonly teamFlag: string
  readonly insecureStorageFlag: string
  readonly apiKeyFlag: string
  readonly projectFlag: string
  readonly apiUrlFlag: string
  readonly issuerFlag: string
  readonly clientIdFlag: string
  readonly allowHttpFlag: string
}

/** latchkey's own verbs and flags, under the executable name `cli`. */
export const names = (cli: string): Names => ({
  cli,
  login: "auth login",
  token: "auth token",
  use: "auth use",
  list: "auth list",
  inject: "auth inject",
  environmentsAdd: "environments add",
  environmentsList: "environments get",
  projectsList: "projects get",
  teamsList: "teams get",
  profileFlag: "--profile",
  teamFlag: "--team",
  insecureStorageFlag: "--insecure-storage",
  apiKeyFlag: "--api-key",
  projectFlag: "--project",
  apiUrlFlag: "--api-url",
  issuerFlag: "--issuer",
  clientIdFlag: "--client-id",
  allowHttpFlag: "--allow-http"
})

export interface MessagesShape {
  readonly names: Names
  /** One notice as one line (without the CLI's `name: ` prefix where the notice has none). */
  readonly notice: (notice: Notice.Notice) => string
  /** An error's one-line message, its hint rendered in the CLI's words. */
  readonly error: (error: LatchkeyError) => string
}

export class Messages extends Context.Tag("latchkey/cli/Messages")<Messages, MessagesShape>() {}

/**
 * A word as a POSIX shell reads it back. Profile names follow the name rule (`Names`) and stay
 * bare; one a hand-edited file holds may need quotes to be pasted.
 */
export const shellWord = (word: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`

export const make = (n: Names): MessagesShape => {
  const cmd = (verb: string) => `${n.cli} ${verb}`
  const loginAs = (profile: string) => `${cmd(n.login)} ${n.profileFlag} ${shellWord(profile)}`
  const lister = (of: "profiles" | "environments" | "projects" | "teams") =>
    cmd(of === "profiles" ? n.list : of === "environments" ? n.environmentsList : of === "projects" ? n.projectsList : n.teamsList)
  const valueFlag = (v: "apiKey" | "project") => (v === "apiKey" ? n.apiKeyFlag : n.projectFlag)

  /** What follows the reason: "; run …", " (see …)". `usage` errors say "lists them" where others say "see". */
  const hintText = (hint: Hint, usage: boolean): string => {
    switch (hint._tag) {
      case "Login":
        return hint.profile !== undefined
          ? `; run \`${loginAs(hint.profile)}\` or \`${cmd(n.token)} ${n.profileFlag} ${shellWord(hint.profile)}\``
          : `; run \`${cmd(n.login)}\` or \`${cmd(n.token)}\`, or set an API key in the environment`
      case "MakeCurrent": {
        const others = hint.others
        if (others.length === 0) return hintText({ _tag: "Login" }, usage)
        const one = others.length === 1
        const shown = others.slice(0, 5).join(", ") + (others.length > 5 ? `, … (${others.length} in all)` : "")
        return `; no profile is current, but this environment has ${one ? "profile" : "profiles"} ${shown}: \`${cmd(n.use)} ${one ? others[0] : "NAME"}\` makes ${one ? "it" : "one"} current, or run \`${cmd(n.login)}\``
      }
      case "LoginAgain":
        return `; run \`${cmd(n.login)}\` again`
      case "List":
        return usage
          ? ` (\`${lister(hint.of)}\` ${hint.of === "profiles" ? "shows" : "lists"} them)`
          : ` (see \`${lister(hint.of)}\`)`
      case "AddIssuer":
        return `; add one with \`${cmd(n.environmentsAdd)} NAME ${n.apiUrlFlag} ${hint.apiUrl} ${n.issuerFlag} URL ${n.clientIdFlag} ID\``
      case "AllowHttp":
        return `, or add the environment with ${n.allowHttpFlag}`
      case "NameProfile":
        return `; pass ${n.profileFlag} NAME`
      case "OtherProfileName":
        return `; choose another name with ${n.profileFlag}`
      case "InjectApiKeysOnly":
        return `; \`${cmd(n.inject)}\` writes only API keys: create a profile with \`${cmd(n.token)}\` and inject that (${n.profileFlag} NAME)`
      case "PassValues":
        return `: pass ${hint.values.map(valueFlag).join(" and ")}`
    }
  }

  const error = (e: LatchkeyError): string => {
    switch (e._tag) {
      case "SessionExpired":
        return `session expired, run \`${loginAs(e.profile)}\``
      case "UsageError":
        if (e.hint?._tag === "PassValues") return `\`${cmd(n.token)}\` ${e.reason}${hintText(e.hint, true)}`
        return e.hint === undefined ? e.message : `${e.reason}${hintText(e.hint, true)}`
      case "NotAuthenticated":
        return `${e.reason}${hintText(e.hint, false)}`
      case "InvalidInput":
      case "LoginFailed":
        return e.hint === undefined ? e.message : `${e.reason}${hintText(e.hint, false)}`
      default:
        return e.message
    }
  }

  const notice = (x: Notice.Notice): string =>
    Notice.Notice.$match(x, {
      TeamChosen: ({ choices, of, team }) =>
        `Using team ${team.name} (${team.slug}), the first of ${of}; pass ${n.teamFlag} to choose another (${choices.join(", ")})`,
      KeyringFallback: ({ disableVariable, file, reason }) =>
        `${n.cli}: the OS keyring is not available (${reason}); storing the credential in plaintext in ${file} instead (${n.insecureStorageFlag}${disableVariable === undefined ? "" : ` or ${disableVariable}=0`} skips the keyring)`,
      PlaintextChosen: ({ by, file, variable }) =>
        `${n.cli}: storing the credential in plaintext (mode 0600) in ${file} (${by === "option" || variable === undefined ? n.insecureStorageFlag : `${variable}=0`})`,
      EnvShadowsProfile: ({ profile, useProfileVariable, variable }) =>
        `${n.cli}: using ${variable} instead of profile ${profile}${useProfileVariable === undefined ? "" : ` (set ${useProfileVariable}=1 to use the profile)`}`
    })

  return { names: n, notice, error }
}

/** The CLI's Notices: each notice printed on stderr as it happens, in `messages`' words. */
export const layerNotices = (messages: MessagesShape): Layer.Layer<Notice.Notices> =>
  Notice.layer((x) => Console.error(messages.notice(x)))

/** The messages in effect: the embedder's, else latchkey's words under the executable name `cli`. */
export const current = (cli: string): Effect.Effect<MessagesShape> =>
  Effect.map(Effect.serviceOption(Messages), (o) => (o._tag === "Some" ? o.value : make(names(cli))))
