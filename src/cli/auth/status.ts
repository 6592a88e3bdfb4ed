import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { Brand } from "../../Brand.js"
import { ExitCode, SilentExit } from "../../Errors.js"
import * as Status from "../../Status.js"
import { flags, globals } from "../Globals.js"
import { emit, note } from "../Render.js"
import * as Help from "../Help.js"
import { Messages } from "../Messages.js"

/** When a session's access token expires, and what happens then. */
export const sessionLine = (expiresAt: string | null, canRefresh: boolean | null, now: number): string | null => {
  if (expiresAt === null) return null
  const minutes = Math.round((Date.parse(expiresAt) - now) / 60_000)
  const when = minutes <= 0 ? "expired" : minutes < 120 ? `in ${minutes} min` : `in ${Math.round(minutes / 60)} h`
  return `access token expires ${expiresAt} (${when}); ${canRefresh ? "refreshed automatically" : "cannot be refreshed: log in again then"}`
}

const text = (s: Status.StatusView, now: number): string => {
  const who = s.user ? `${s.user.email}${s.user.name ? ` (${s.user.name})` : ""}` : "an unknown user"
  const lines = [
    s.verified
      ? `Logged in to ${s.apiUrl} as ${who}`
      : `Stored credential for ${s.apiUrl} (${who}), ${s.verifyError === null ? "not checked with the platform (--offline)" : "not verified"}`,
    `  Profile:     ${s.profile ?? "none"} (from ${s.source})`,
    `  Method:      ${s.method === "api-key" ? `API key ${s.maskedKey}` : "session"}`,
    `  Storage:     ${s.storage}${s.storage === "env" ? "" : ` — ${s.storageLocation}`}`,
    `  Environment: ${s.environment}`,
    `  Team:        ${s.team ? `${s.team.name} (${s.team.slug})` : "-"}`,
    `  Project:     ${s.project ? `${s.project.name ? `${s.project.name} ` : ""}(${s.project.id}), from ${s.project.source === "env" ? "the environment" : s.project.source === "flag" ? "--project" : "the profile"}` : "-"}`
  ]
  const session = sessionLine(s.expiresAt, s.canRefresh, now)
  if (session !== null) lines.splice(3, 0, `  Session:     ${session}`)
  return lines.join("\n")
}

export const status = Command.make("status", {
  globals,
  offline: Options.boolean("offline").pipe(
    Options.withDescription("Show the stored credential without asking the platform whether it is still valid")
  )
}, ({ globals: g, offline }) =>
  Effect.gen(function*() {
    const brand = yield* Brand
    const messages = yield* Messages
    const notAuthenticated = (reason: string) =>
      Effect.gen(function*() {
        if (g.output !== "text") yield* emit(g.output, { authenticated: false, reason }, () => "")
        yield* note(`${brand.name}: ${reason}`)
        return yield* new SilentExit({ code: ExitCode.Error })
      })
    const view = yield* Status.status(flags(g), { verify: !offline }).pipe(
      Effect.catchTags({
        NotAuthenticated: (e) => notAuthenticated(messages.error(e)),
        CredentialRejected: (e) => notAuthenticated(e.message),
        // An expired or revoked session is "not authenticated" like the rest, with the same payload.
        SessionExpired: (e) => notAuthenticated(messages.error(e))
      })
    )
    const now = yield* Clock.currentTimeMillis
    yield* emit(g.output, view, (v) => text(v, now))
    if (!view.verified && !offline) {
      yield* note(`${brand.name}: could not verify the credential: ${view.verifyError}`)
      return yield* new SilentExit({ code: ExitCode.Error })
    }
  })).pipe(
    Command.withDescription("Show who you are and how you are authenticated"),
    Help.withHelp({
      details:
        "Shows where the credential comes from, the team, project and API URL, and for a session when its access token expires; checked with the platform unless --offline. Exits 1 when not authenticated, an expired session included.",
      examples: [{ args: "" }, { args: "--offline -o json" }, { args: "--profile work" }],
      env: Help.CREDENTIAL_ENV
    })
  )
