/**
 * Teams: which one a login or a profile acts for. Matching follows the inf CLI: `--team` is an
 * id or slug exactly, then a slug or name ignoring case.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ConfigStore, type Team } from "./ConfigStore.js"
import * as Credentials from "./Credentials.js"
import { Hint, InvalidInput, UsageError } from "./Errors.js"
import * as Notice from "./Notice.js"
import { own } from "./internal/records.js"
import { matchProject } from "./ApiKeyLogin.js"
import { PlatformApi } from "./PlatformApi.js"
import { Prompt } from "./Prompt.js"
import * as Clock from "effect/Clock"

export const matchTeam = (teams: ReadonlyArray<Team>, wanted: string): Option.Option<Team> => {
  const lower = wanted.toLowerCase()
  return Option.orElse(
    Option.fromNullable(teams.find((t) => t.id === wanted || t.slug === wanted)),
    () => Option.fromNullable(teams.find((t) => t.slug.toLowerCase() === lower || t.name.toLowerCase() === lower))
  )
}

/**
 * One team is used as is; several: the one wanted, else a prompt on a terminal, else the first,
 * with a `TeamChosen` notice (the CLI says which, and how to pick another).
 */
export const choose = Effect.fn("Teams.choose")(function*(
  teams: ReadonlyArray<Team>,
  wanted: Option.Option<string>,
  interactive: boolean
) {
  if (Option.isSome(wanted)) {
    const found = matchTeam(teams, wanted.value)
    if (Option.isNone(found)) {
      return yield* new InvalidInput({
        reason: `no team ${wanted.value} among yours (${teams.map((t) => t.slug).join(", ") || "none"})`
      })
    }
    return found
  }
  if (teams.length <= 1) return Option.fromNullable(teams[0])
  if (interactive) {
    const prompt = yield* Prompt
    return Option.some(yield* prompt.select("Team", teams.map((t) => ({ title: t.name, value: t, description: t.slug }))))
  }
  const first = teams[0]!
  yield* Notice.notify(Notice.Notice.TeamChosen({ team: first, of: teams.length, choices: teams.map((t) => t.slug) }))
  return Option.some(first)
})

/** `teams get`: the credential's teams, the profile's marked. */
export const list = Effect.fn("Teams.list")(function*(flags: Credentials.Flags) {
  const api = yield* PlatformApi
  const resolved = yield* Credentials.resolve(flags)
  const teams = yield* api.teams(resolved.credential)
  const current = Option.flatMap(resolved.profile, (p) => Option.fromNullable(p.profile.team?.id))
  return teams.map((t) => ({ ...t, current: Option.contains(current, t.id) }))
})

/** `teams use [TEAM]`: a new team clears the project; then `--project`, else the team's first project, is selected. */
export const use = Effect.fn("Teams.use")(function*(
  flags: Credentials.Flags,
  wanted: Option.Option<string>,
  interactive: boolean
) {
  const api = yield* PlatformApi
  const resolved = yield* Credentials.resolve({ ...flags, project: Option.none() })
  const { name, profile } = yield* Credentials.requireProfile(resolved)
  if (Option.isNone(wanted) && !interactive) {
    return yield* new UsageError({ reason: "name the team", hint: Hint.List({ of: "teams" }) })
  }
  const teams = yield* api.teams(resolved.credential)
  const team = yield* choose(teams, wanted, interactive)
  if (Option.isNone(team)) return yield* new InvalidInput({ reason: `profile ${name} belongs to no team` })
  const changed = profile.team?.id !== team.value.id
  const projects = yield* api.teamProjects(resolved.credential, team.value.id)
  let project = changed ? Option.none<{ id: string; name: string }>() : Option.fromNullable(profile.project).pipe(
    Option.map((p) => ({ id: p.id, name: p.name ?? p.id }))
  )
  if (Option.isSome(flags.project)) {
    const found = matchProject(projects, flags.project.value)
    if (Option.isNone(found)) {
      return yield* new InvalidInput({ reason: `no project ${flags.project.value} in team ${team.value.slug}` })
    }
    project = found
  } else if (Option.isNone(project)) {
    project = Option.fromNullable(projects[0])
  }
  const store = yield* ConfigStore
  const now = new Date(yield* Clock.currentTimeMillis).toISOString()
  yield* store.modify((config) => {
    const current = own(config.profiles, name)
    if (current === undefined) return Effect.fail(new InvalidInput({ reason: `profile ${name} was removed meanwhile` }))
    const { project: _, ...rest } = current
    const updated = {
      ...rest,
      team: team.value,
      ...Option.match(project, { onNone: () => ({}), onSome: (p) => ({ project: { id: p.id, name: p.name } }) }),
      updatedAt: now
    }
    return Effect.succeed([undefined, { ...config, profiles: { ...config.profiles, [name]: updated } }] as const)
  })
  return { profile: name, team: team.value, project: Option.getOrNull(project), changed }
})
