import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Brand } from "../../Brand.js"
import * as Profiles from "../../Profiles.js"
import { globals, type OutputFormat } from "../Globals.js"
import { emit, note, orDash, table } from "../Render.js"
import { sessionLine } from "./status.js"
import * as Help from "../Help.js"

const rows = (profiles: ReadonlyArray<Profiles.ProfileView>) =>
  table(
    ["", "NAME", "USER", "METHOD", "STORAGE", "PROJECT", "API URL"],
    profiles.map((p) => [
      p.current ? "*" : "",
      p.name,
      orDash(p.user?.email),
      orDash(p.method === "api-key" ? `api-key ${p.maskedKey}` : p.method),
      orDash(p.storage),
      orDash(p.project?.id),
      p.apiUrl
    ])
  )

const show = (p: Profiles.ProfileView, now: number) =>
  [
    `${p.current ? "* " : ""}${p.name}`,
    `  User:        ${p.user ? p.user.email : "-"}`,
    `  Method:      ${p.method === "api-key" ? `API key ${p.maskedKey}` : orDash(p.method)}`,
    ...(p.expiresAt === null ? [] : [`  Session:     ${sessionLine(p.expiresAt, p.canRefresh, now)}`]),
    `  Storage:     ${orDash(p.storage)}`,
    `  Environment: ${p.environment}`,
    `  API URL:     ${p.apiUrl}`,
    `  Team:        ${p.team ? `${p.team.name} (${p.team.slug})` : "-"}`,
    `  Project:     ${p.project ? `${p.project.name ?? ""} (${p.project.id})`.trim() : "-"}`
  ].join("\n")

const handler = (name: Option.Option<string>, output: OutputFormat) =>
  Effect.gen(function*() {
    const brand = yield* Brand
    if (Option.isSome(name)) {
      const now = yield* Clock.currentTimeMillis
      return yield* emit(output, yield* Profiles.get(name.value), (p) => show(p, now))
    }
    const { environment, profiles } = yield* Profiles.list()
    yield* emit(output, profiles, rows)
    if (output === "text" && profiles.length === 0) {
      yield* note(`No profiles in environment ${environment}; create one with \`${brand.name} auth token\` or \`${brand.name} auth login\``)
    }
  })

const description = "List the profiles of the current environment, or show one"
const help = Help.withHelp({
  details: "The current profile is marked *.",
  examples: [{ args: "" }, { args: "work -o json", about: "One profile, as JSON" }],
  env: ["configDir"]
})

export const get = Command.make(
  "get",
  { globals, name: Args.text({ name: "name" }).pipe(Args.withDescription("Profile to show"), Args.optional) },
  ({ globals: g, name }) => handler(Option.orElse(name, () => g.profile), g.output)
).pipe(Command.withDescription(description), help)

export const list = Command.make(
  "list",
  { globals, name: Args.text({ name: "name" }).pipe(Args.withDescription("Profile to show"), Args.optional) },
  ({ globals: g, name }) => handler(Option.orElse(name, () => g.profile), g.output)
).pipe(Command.withDescription(`${description} (same as get)`), help)
