import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Projects from "../../Projects.js"
import { flags, type Globals, globals, interactive } from "../Globals.js"
import { emit, note, table } from "../Render.js"
import * as Help from "../Help.js"

export const get = Command.make("get", { globals }, ({ globals: g }) =>
  Effect.gen(function*() {
    const projects = yield* Projects.list(flags(g))
    yield* emit(g.output, projects, (ps) =>
      ps.length === 0
        ? "No projects."
        : table(["", "ID", "NAME", "TEAM"], ps.map((p) => [p.current ? "*" : "", p.id, p.name, p.teamId])))
  })).pipe(
    Command.withDescription("List the projects the credential can see"),
    Help.withHelp({ details: "The selected project is marked *.", examples: [{ args: "" }, { args: "-o json" }], env: Help.CREDENTIAL_ENV })
  )

const id = Args.text({ name: "id" }).pipe(Args.withDescription("Project id or name"), Args.optional)

const useHandler = ({ globals: g, id }: { readonly globals: Globals; readonly id: Option.Option<string> }) =>
  Effect.gen(function*() {
    const result = yield* Projects.use(flags(g), Option.orElse(id, () => g.project), yield* interactive(g))
    yield* emit(g.output, result, (r) => `Profile ${r.profile} now uses project ${r.project.name} (${r.project.id})`)
    if (result.teamChanged && result.previousTeam !== null) {
      const was = result.previousTeam
      const now = result.team === null ? `the team of ${result.project.id}` : `${result.team.name} (${result.team.slug})`
      yield* note(`Team changed from ${was.name} (${was.slug}) to ${now}`)
    }
  })

export const use = Command.make("use", { globals, id }, useHandler).pipe(
  Command.withDescription("Select the project of the current profile"),
  Help.withHelp({
    details: "Prompts for one when the id is omitted on a terminal.",
    examples: [{ args: "prj_acme_web" }, { args: "\"Globex API\" --profile work" }],
    env: Help.CREDENTIAL_ENV
  })
)

/** `auth project [ID]`: the older llamactl spelling of `projects use`. */
export const authProject = Command.make("project", { globals, id }, useHandler).pipe(
  Command.withDescription("Select the project of the current profile (as projects use)"),
  Help.withHelp({ examples: [{ args: "prj_acme_web" }, { args: "", about: "Choose from a list" }], env: Help.CREDENTIAL_ENV })
)

export const projects = Command.make("projects").pipe(
  Command.withDescription("Projects of the current profile"),
  Command.withSubcommands([get, use])
)
