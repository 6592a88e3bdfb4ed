/**
 * API-key login, three ways (`auth token`, `auth set-key`, `auth login --with-api-key`), one
 * path: check the key's prefix, validate it against the platform by listing its projects, pick a
 * project, then save the profile. A key that fails any step is never stored.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Brand } from "./Brand.js"
import { ConfigStore } from "./ConfigStore.js"
import * as Credentials from "./Credentials.js"
import { own } from "./internal/records.js"
import { sanitize, truncate } from "./internal/text.js"
import * as Names from "./Names.js"
import { Hint, InvalidInput, UsageError } from "./Errors.js"
import { PlatformApi, type Project } from "./PlatformApi.js"
import * as Profiles from "./Profiles.js"
import { Prompt } from "./Prompt.js"
import { firstLine, Tty } from "./Tty.js"

/** Refuse a key without the brand's prefix before it travels anywhere. */
export const checkPrefix = Effect.fn("ApiKeyLogin.checkPrefix")(function*(key: Redacted.Redacted) {
  const brand = yield* Brand
  const value = Redacted.value(key)
  const prefix = brand.keyPrefix
  if (prefix === undefined) {
    // No prefix to check: only an empty key is refused here.
    if (value.length === 0) return yield* new InvalidInput({ reason: "the API key is empty" })
  } else if (!value.startsWith(prefix) || value.length <= prefix.length) {
    return yield* new InvalidInput({ reason: `${brand.name} API keys start with ${prefix}; this one does not` })
  }
  if (/\s/.test(value)) return yield* new InvalidInput({ reason: "an API key cannot contain white space" })
  // NUL and other controls would break the request header, whose error quotes the key whole.
  if (!/^[\x21-\x7e]+$/.test(value)) {
    return yield* new InvalidInput({ reason: "an API key can hold only printable ASCII characters; this one has others (it was not sent)" })
  }
})

/** `--project X` matches a project id exactly, else a name ignoring case. */
export const matchProject = (projects: ReadonlyArray<Project>, wanted: string): Option.Option<Project> =>
  Option.orElse(
    Option.fromNullable(projects.find((p) => p.id === wanted)),
    () => Option.fromNullable(projects.find((p) => p.name.toLowerCase() === wanted.toLowerCase()))
  )

/** Ask the platform who the key belongs to and what it can see. Fails with `CredentialRejected` for a bad key. */
const validate = Effect.fn("ApiKeyLogin.validate")(function*(apiUrl: string, key: Redacted.Redacted) {
  yield* checkPrefix(key)
  const api = yield* PlatformApi
  const credential = { apiUrl, token: key, source: "the API key given" }
  const [me, projects, teams] = yield* Effect.all(
    [api.me(credential), api.projects(credential), api.teams(credential)],
    { concurrency: "unbounded" }
  )
  return { me, projects, teams }
})

/** A key typed at the masked prompt that is refused (its prefix, or the platform's 401/403) is asked for again: this many tries in all. */
export const KEY_TRIES = 3

/** The key: given (argument, flag, standard input), or `"prompt"`: to be typed at the masked prompt. */
export type KeyInput = Redacted.Redacted | "prompt"

/**
 * Validate the key, asking again on a terminal when a typed one is refused, with why in the next
 * question. Only a refusal of the key itself earns another try; an unreachable platform ends the
 * command, as does the last refusal.
 */
const validated = Effect.fn("ApiKeyLogin.validated")(function*(apiUrl: string, input: KeyInput) {
  if (input !== "prompt") return { key: input, ...(yield* validate(apiUrl, input)) }
  const prompt = yield* Prompt
  let message = "API key"
  for (let attempt = 1;; attempt++) {
    const key = yield* prompt.secret(message)
    const result = yield* Effect.either(validate(apiUrl, key))
    if (Either.isRight(result)) return { key, ...result.right }
    const refused = result.left
    if ((refused._tag !== "InvalidInput" && refused._tag !== "CredentialRejected") || attempt >= KEY_TRIES) {
      return yield* refused
    }
    const why = refused._tag === "CredentialRejected"
      ? `the platform refused it, HTTP ${refused.status}${refused.detail ? `: ${refused.detail}` : ""}`
      : refused.message
    message = `API key (${truncate(sanitize(why), 80)}; try ${attempt + 1} of ${KEY_TRIES})`
  }
})

type Choose = "first" | "prompt"

const pickProject = Effect.fn("ApiKeyLogin.pickProject")(function*(
  projects: ReadonlyArray<Project>,
  wanted: Option.Option<string>,
  how: Choose
) {
  if (Option.isSome(wanted)) {
    const found = matchProject(projects, wanted.value)
    if (Option.isNone(found)) {
      const known = projects.map((p) => p.id).join(", ") || "none"
      return yield* new InvalidInput({ reason: `no project ${wanted.value} among the key's projects (${known})` })
    }
    return found
  }
  if (projects.length <= 1 || how === "first") return Option.fromNullable(projects[0])
  const prompt = yield* Prompt
  return Option.some(
    yield* prompt.select("Project", projects.map((p) => ({ title: p.name, value: p, description: p.id })))
  )
})

export interface LoginResult {
  readonly profile: string
  readonly created: boolean
  readonly current: boolean
  readonly user: Profiles.ProfileView["user"]
  readonly team: Profiles.ProfileView["team"]
  readonly project: Profiles.ProfileView["project"]
  readonly apiUrl: string
  readonly maskedKey: string
  /** Where the key was stored: the store's kind and location. */
  readonly storage: string
  readonly storageLocation: string
}

const save = Effect.fn("ApiKeyLogin.save")(function*(input: {
  readonly key: KeyInput
  readonly name: Option.Option<string>
  readonly project: Option.Option<string>
  readonly choose: Choose
  readonly makeCurrent: boolean
  readonly insecure: boolean
}) {
  const where = yield* Credentials.loginTarget
  // A bad name is refused before the key travels anywhere.
  if (Option.isSome(input.name)) yield* Names.validateExisting("profile", input.name.value, where.config.profiles, "--profile")
  const { key, me, projects, teams } = yield* validated(where.apiUrl, input.key)
  const project = yield* pickProject(projects, input.project, input.choose)
  const team = project.pipe(Option.flatMap((p) => Option.fromNullable(teams.find((t) => t.id === p.teamId))))
  const name = Option.getOrElse(input.name, () => Profiles.apiKeyProfileName(me.user, key))
  const saved = yield* Profiles.save({
    name,
    environment: where.environment,
    apiUrl: where.apiUrl,
    credential: { kind: "api-key", key },
    user: me.user,
    team: Option.orElse(team, () => teams.length === 1 ? Option.some(teams[0]!) : Option.none()),
    project,
    makeCurrent: input.makeCurrent,
    insecure: input.insecure
  })
  const viewed = Profiles.view(
    { ...where.config, currentProfile: input.makeCurrent ? name : where.config.currentProfile },
    name,
    saved.profile
  )
  return {
    profile: name,
    created: saved.created,
    current: viewed.current,
    user: viewed.user,
    team: viewed.team,
    project: viewed.project,
    apiUrl: where.apiUrl,
    maskedKey: viewed.maskedKey ?? "",
    storage: saved.storage,
    storageLocation: saved.storageLocation
  } satisfies LoginResult
})

/** `auth token [--api-key KEY] [--project ID]`: a new current profile from an API key. */
export const token = Effect.fn("ApiKeyLogin.token")(function*(input: {
  readonly apiKey: Option.Option<KeyInput>
  readonly project: Option.Option<string>
  readonly profile: Option.Option<string>
  readonly interactive: boolean
  readonly insecure: boolean
}) {
  if (!input.interactive) {
    const missing = [
      ...(Option.isNone(input.apiKey) ? ["apiKey" as const] : []),
      ...(Option.isNone(input.project) ? ["project" as const] : [])
    ]
    if (missing.length > 0) {
      return yield* new UsageError({ reason: "cannot prompt here", hint: Hint.PassValues({ values: missing }) })
    }
  }
  const key: KeyInput = Option.isSome(input.apiKey) ? input.apiKey.value : "prompt"
  return yield* save({ key, name: input.profile, project: input.project, choose: "prompt", makeCurrent: true, insecure: input.insecure })
})

/** `auth set-key KEY`: store a key in the named or current profile (a new one if there is none); the first project is selected. */
export const setKey = Effect.fn("ApiKeyLogin.setKey")(function*(input: {
  readonly key: KeyInput
  readonly profile: Option.Option<string>
  readonly project: Option.Option<string>
  readonly insecure: boolean
}) {
  const config = yield* (yield* ConfigStore).read
  const current = config.currentProfile !== null && own(config.profiles, config.currentProfile)?.environment === config.currentEnvironment
    ? Option.some(config.currentProfile)
    : Option.none<string>()
  return yield* save({
    key: input.key,
    name: Option.orElse(input.profile, () => current),
    project: input.project,
    choose: "first",
    makeCurrent: true,
    insecure: input.insecure
  })
})

/** `auth login --with-api-key`: the key from standard input (or a masked prompt on a terminal). */
export const withApiKey = Effect.fn("ApiKeyLogin.withApiKey")(function*(input: {
  readonly profile: Option.Option<string>
  readonly project: Option.Option<string>
  readonly noSwitch: boolean
  readonly interactive: boolean
  readonly insecure: boolean
}) {
  const tty = yield* Tty
  const key: KeyInput = tty.stdinIsTTY
    ? input.interactive
      ? "prompt"
      : yield* new UsageError({ reason: "--with-api-key reads the key from standard input; pipe it in" })
    : yield* tty.readStdin.pipe(
      Effect.flatMap((text) =>
        Option.match(firstLine(text), {
          onNone: () => new UsageError({ reason: "no API key on standard input" }),
          onSome: (line) => Effect.succeed<KeyInput>(Redacted.make(line))
        })
      )
    )
  return yield* save({
    key,
    name: input.profile,
    project: input.project,
    choose: "first",
    makeCurrent: !input.noSwitch,
    insecure: input.insecure
  })
})
