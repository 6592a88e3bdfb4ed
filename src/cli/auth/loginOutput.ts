/** How the API-key logins (`token`, `set-key`, `login --with-api-key`) report what they stored. */
import * as Effect from "effect/Effect"
import type { LoginResult } from "../../ApiKeyLogin.js"

/** The parts of a login result this output uses (API-key and device-flow logins both have them). */
type Shown = Pick<LoginResult, "profile" | "current" | "user" | "team" | "project" | "storage" | "storageLocation">
import type { OutputFormat } from "../Globals.js"
import { emit, note } from "../Render.js"

export const renderLogin = <A extends Shown>(format: OutputFormat, result: A, cli: string) =>
  Effect.gen(function*() {
    yield* emit(format, result, (r) => {
      const who = r.user ? r.user.email : "unknown user"
      const team = r.team ? ` (${r.team.name})` : ""
      return `Logged in as ${who}${team} as profile ${r.profile}`
    })
    // Plaintext storage was announced once, before writing, by the secret store (SecretStore.make).
    if (format === "text") {
      if (result.project) {
        yield* note(`Project: ${result.project.name ?? result.project.id} (${result.project.id}); change it with \`${cli} projects use\``)
      } else {
        yield* note(`No project is selected: there is none to choose yet.`)
      }
      if (!result.current) yield* note(`Profile ${result.profile} is stored but not current; \`${cli} auth use ${result.profile}\` switches to it`)
    }
  })
