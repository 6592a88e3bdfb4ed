/** Commands for scripts: `auth print-token`, `auth whoami`, `auth refresh`. */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Brand } from "../../Brand.js"
import * as Credentials from "../../Credentials.js"
import { InvalidInput } from "../../Errors.js"
import { PlatformApi } from "../../PlatformApi.js"
import * as Session from "../../Session.js"
import { flags, globals } from "../Globals.js"
import { emit } from "../Render.js"
import * as Help from "../Help.js"

export const printToken = Command.make("print-token", { globals }, ({ globals: g }) =>
  Effect.gen(function*() {
    const resolved = yield* Credentials.resolve(flags(g))
    // The one place latchkey prints a secret: the user asked for it.
    const token = Redacted.value(resolved.credential.token)
    yield* emit(g.output, { token, method: resolved.method, profile: Option.getOrNull(Option.map(resolved.profile, (p) => p.name)) }, (r) => r.token)
  })).pipe(
    Command.withDescription("Print the credential, for scripts"),
    Help.withHelp({
      details: "A valid access token (refreshed first when within a minute of expiry), or the API key.",
      examples: [{ args: "" }, { args: "--profile work", about: "In a request: curl -H \"Authorization: Bearer $(latchkey auth print-token)\"" }],
      env: Help.CREDENTIAL_ENV
    })
  )

export const whoami = Command.make("whoami", { globals }, ({ globals: g }) =>
  Effect.gen(function*() {
    const resolved = yield* Credentials.resolve(flags(g))
    const me = yield* (yield* PlatformApi).me(resolved.credential)
    yield* emit(g.output, me, (m) => `${m.user.email}${m.user.name ? ` (${m.user.name})` : ""}`)
  })).pipe(
    Command.withDescription("Ask the platform who the credential belongs to"),
    Help.withHelp({ details: "Calls GET /v1/me.", examples: [{ args: "" }, { args: "-o json" }], env: Help.CREDENTIAL_ENV })
  )

export const refresh = Command.make("refresh", { globals }, ({ globals: g }) =>
  Effect.gen(function*() {
    const brand = yield* Brand
    const resolved = yield* Credentials.resolve({ ...flags(g) })
    if (Option.isNone(resolved.profile) || resolved.method !== "session") {
      return yield* new InvalidInput({ reason: `the credential in use is an API key; only a login session can be refreshed (\`${brand.name} auth login\`)` })
    }
    const { name, profile } = resolved.profile.value
    const token = yield* Session.accessToken(name, profile, { force: true })
    yield* emit(
      g.output,
      { profile: name, refreshed: token.refreshed, expiresAt: new Date(token.expiresAt).toISOString() },
      (r) => `Refreshed the session of ${r.profile}; the access token is valid until ${r.expiresAt}`
    )
  })).pipe(
    Command.withDescription("Refresh the session's access token now"),
    Help.withHelp({ examples: [{ args: "" }, { args: "--profile work -o json" }], env: ["profile", "configDir"] })
  )
