/**
 * Projects the resolved credential can see, and choosing the profile's project
 * (`projects get|use`, `auth project`).
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { matchProject } from "./ApiKeyLogin.js"
import * as Credentials from "./Credentials.js"
import { Hint, InvalidInput, UsageError } from "./Errors.js"
import { PlatformApi } from "./PlatformApi.js"
import * as Profiles from "./Profiles.js"
import { Prompt } from "./Prompt.js"

export interface ProjectView {
  readonly id: string
  readonly name: string
  readonly teamId: string
  readonly current: boolean
}

/** `projects get`: every project the credential can see, the selected one marked. */
export const list = Effect.fn("Projects.list")(function*(flags: Credentials.Flags) {
  const api = yield* PlatformApi
  const resolved = yield* Credentials.resolve(flags)
  const projects = yield* api.projects(resolved.credential)
  const selected = Option.map(resolved.project, (p) => p.id)
  return projects.map((p): ProjectView => ({
    id: p.id,
    name: p.name,
    teamId: p.teamId,
    current: Option.contains(selected, p.id)
  }))
})

/** `projects use [ID]`: set the project of the profile in use. */
export const use = Effect.fn("Projects.use")(function*(
  flags: Credentials.Flags,
  wanted: Option.Option<string>,
  interactive: boolean
) {
  const api = yield* PlatformApi
  // The project being chosen is the argument, so it must not also filter the resolution.
  const resolved = yield* Credentials.resolve({ ...flags, project: Option.none() })
  const profile = yield* Credentials.requireProfile(resolved)
  const projects = yield* api.projects(resolved.credential)
  let project
  if (Option.isSome(wanted)) {
    const found = matchProject(projects, wanted.value)
    if (Option.isNone(found)) {
      return yield* new InvalidInput({
        reason: `no project ${wanted.value} among those of profile ${profile.name}`,
        hint: Hint.List({ of: "projects" })
      })
    }
    project = found.value
  } else if (!interactive) {
    return yield* new UsageError({ reason: "name the project", hint: Hint.List({ of: "projects" }) })
  } else if (projects.length === 0) {
    return yield* new InvalidInput({ reason: `profile ${profile.name} can see no projects` })
  } else {
    project = yield* (yield* Prompt).select(
      "Project",
      projects.map((p) => ({ title: p.name, value: p, description: p.id }))
    )
  }
  const teams = yield* api.teams(resolved.credential).pipe(Effect.orElseSucceed(() => []))
  const team = Option.fromNullable(teams.find((t) => t.id === project.teamId))
  yield* Profiles.setProject(profile.name, project, team)
  // The project decides the team: a project of another team moves the profile to that team.
  const before = profile.profile.team ?? null
  return {
    profile: profile.name,
    project: { id: project.id, name: project.name },
    team: Option.getOrNull(team),
    previousTeam: before,
    teamChanged: before !== null && before.id !== project.teamId
  }
})
