import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Teams from "../../Teams.js"
import { flags, globals, interactive } from "../Globals.js"
import { emit, table } from "../Render.js"
import * as Help from "../Help.js"

export const get = Command.make("get", { globals }, ({ globals: g }) =>
  Effect.gen(function*() {
    const teams = yield* Teams.list(flags(g))
    yield* emit(g.output, teams, (ts) =>
      ts.length === 0 ? "No teams." : table(["", "ID", "SLUG", "NAME"], ts.map((t) => [t.current ? "*" : "", t.id, t.slug, t.name])))
  })).pipe(
    Command.withDescription("List the teams the credential can act for"),
    Help.withHelp({ details: "The profile's team is marked *.", examples: [{ args: "" }, { args: "-o json" }], env: Help.CREDENTIAL_ENV })
  )

export const use = Command.make(
  "use",
  { globals, team: Args.text({ name: "team" }).pipe(Args.withDescription("Team id, slug or name"), Args.optional) },
  ({ globals: g, team }) =>
    Effect.gen(function*() {
      const result = yield* Teams.use(flags(g), team, yield* interactive(g))
      yield* emit(
        g.output,
        result,
        (r) => `Profile ${r.profile} now acts for ${r.team.name} (${r.team.slug})${r.project ? `, project ${r.project.name} (${r.project.id})` : ", no project"}`
      )
    })
).pipe(
  Command.withDescription("Choose the team of the current profile"),
  Help.withHelp({
    details: "A new team clears the project and selects the team's first project, or --project.",
    examples: [{ args: "acme" }, { args: "globex --project prj_globex_api" }],
    env: Help.CREDENTIAL_ENV
  })
)

export const teams = Command.make("teams").pipe(
  Command.withDescription("Teams of the current profile"),
  Command.withSubcommands([get, use])
)
