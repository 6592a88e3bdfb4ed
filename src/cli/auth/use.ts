import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Profiles from "../../Profiles.js"
import { type Globals, globals, interactive } from "../Globals.js"
import { emit } from "../Render.js"
import * as Help from "../Help.js"

const name = Args.text({ name: "name" }).pipe(Args.withDescription("Profile to make current"), Args.optional)

// `auth switch --profile NAME` (the baseten form) names the profile too.
const handler = ({ globals: g, name }: { readonly globals: Globals; readonly name: Option.Option<string> }) =>
  Effect.gen(function*() {
    const result = yield* Profiles.use(Option.orElse(name, () => g.profile), yield* interactive(g))
    yield* emit(g.output, { profile: result.name, environment: result.environment }, (r) => `Switched to ${r.profile}`)
  })

const description = "Set the current profile"
const help = Help.withHelp({
  details: "Prompts for one when the name is omitted on a terminal.",
  examples: [{ args: "work" }, { args: "", about: "Choose from a list" }],
  env: ["configDir", "ci"]
})

export const use = Command.make("use", { globals, name }, handler).pipe(Command.withDescription(description), help)
export const switchCommand = Command.make("switch", { globals, name }, handler).pipe(
  Command.withDescription(`${description} (same as use)`),
  help
)
