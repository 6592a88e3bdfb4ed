import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Brand } from "../../Brand.js"
import * as Profiles from "../../Profiles.js"
import { globals } from "../Globals.js"
import { emit, note } from "../Render.js"
import * as Help from "../Help.js"
import { Messages } from "../Messages.js"

export const logout = Command.make(
  "logout",
  { globals, name: Args.text({ name: "name" }).pipe(Args.withDescription("Profile to remove (default: current)"), Args.optional) },
  ({ globals: g, name }) =>
    Effect.gen(function*() {
      const brand = yield* Brand
      const messages = yield* Messages
      const result = yield* Profiles.logout(Option.orElse(name, () => g.profile))
      if (Option.isSome(result.revocationFailed)) {
        yield* note(`${brand.name}: warning: could not revoke the session at the provider: ${result.revocationFailed.value}; the session was removed locally but its tokens stay valid until they expire`)
      }
      yield* emit(
        g.output,
        { profile: result.name, wasCurrent: result.wasCurrent, revoked: result.revoked },
        (r) => `Logged out ${r.profile}${r.revoked ? " (session revoked)" : ""}`
      )
      if (result.others.length > 0) {
        const names = result.others.slice(0, 5).join(", ") + (result.others.length > 5 ? ", …" : "")
        yield* note(
          `No profile is current now; ${result.others.length === 1 ? `profile ${names} remains` : `profiles ${names} remain`} in this environment: \`${messages.names.cli} ${messages.names.use} ${result.others.length === 1 ? result.others[0] : "NAME"}\` makes ${result.others.length === 1 ? "it" : "one"} current`
        )
      }
      if (Option.isSome(result.envKeyStillSet)) {
        // inf says "Signed out" while its API-key variable still authenticates; say so instead.
        yield* note(`${brand.name}: ${result.envKeyStillSet.value} is still set and still authenticates; unset it to log out completely`)
      }
    })
).pipe(
  Command.withDescription("Remove a profile and its stored secrets"),
  Help.withHelp({
    details: "A session is revoked at the provider first. Removing the current profile leaves no current profile.",
    examples: [{ args: "", about: "Log out of the current profile" }, { args: "work" }],
    env: ["apiKey", "configDir"]
  })
)
