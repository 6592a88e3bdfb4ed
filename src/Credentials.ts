/**
 * The one credential resolution order (README, "Resolution order"):
 *
 *   1. `--profile NAME`
 *   2. `<PREFIX>API_KEY` (with `<PREFIX>PROJECT_ID`, `<PREFIX>API_URL`), unless `<PREFIX>USE_PROFILE=1`
 *   3. `<PREFIX>PROFILE`
 *   4. the current profile
 *
 * Within a profile an API key beats a session token. The project is `--project` >
 * `<PREFIX>PROJECT_ID` > the profile's project. `plan` decides purely from its inputs, so every
 * branch is testable without I/O; `resolve` then reads the secret from the `SecretStore`.
 *
 * Every profile name is looked up by own key (`toString` is no profile) and, unless a profile is
 * stored under exactly that name, must follow the name rule (`Names`); every API URL a
 * credential would go to passes the transport policy (`Urls`).
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { Brand, type BrandShape } from "./Brand.js"
import { type ConfigFile, ConfigStore, type Profile, type StorageKind } from "./ConfigStore.js"
import { Hint, InvalidInput, NotAuthenticated, type UsageError } from "./Errors.js"
import { own } from "./internal/records.js"
import * as Names from "./Names.js"
import * as Notice from "./Notice.js"
import type { Credential } from "./PlatformApi.js"
import { SecretStore, secretsOf } from "./SecretStore.js"
import * as Session from "./Session.js"
import * as Settings from "./Settings.js"
import * as Urls from "./Urls.js"

export interface Flags {
  readonly profile: Option.Option<string>
  readonly project: Option.Option<string>
}

export const noFlags: Flags = { profile: Option.none(), project: Option.none() }

/** Which input supplied the credential. */
export type Source =
  | { readonly _tag: "ProfileFlag"; readonly profile: string }
  | { readonly _tag: "EnvApiKey"; readonly variable: string }
  | { readonly _tag: "EnvProfile"; readonly variable: string; readonly profile: string }
  | { readonly _tag: "CurrentProfile"; readonly profile: string }

export type ProjectSource = "flag" | "env" | "profile"

export interface ProjectChoice {
  readonly id: string
  readonly name: Option.Option<string>
  readonly from: ProjectSource
}

export type Method = "api-key" | "session"

export type Plan =
  | {
    readonly _tag: "FromEnv"
    readonly source: Source
    readonly apiKey: Redacted.Redacted
    readonly apiUrl: string
    readonly environment: string
    readonly project: Option.Option<ProjectChoice>
    /** The stored profile the environment variable took precedence over, if any. */
    readonly shadowed: Option.Option<string>
  }
  | {
    readonly _tag: "FromProfile"
    readonly source: Source
    readonly name: string
    readonly profile: Profile
    readonly method: Method
    readonly project: Option.Option<ProjectChoice>
  }

export const sourceLabel = (source: Source): string => {
  switch (source._tag) {
    case "ProfileFlag":
      return "--profile"
    case "EnvApiKey":
      return source.variable
    case "EnvProfile":
      return source.variable
    case "CurrentProfile":
      return "current profile"
  }
}

/** The API URL of an environment, falling back to the brand's for the built-in one. */
export const environmentApiUrl = (brand: BrandShape, config: ConfigFile, name: string): string =>
  own(config.environments, name)?.apiUrl ?? brand.defaultApiUrl

/** Whether environment `name` was added with `--allow-http`. */
export const allowsHttp = (config: ConfigFile, name: string): boolean => own(config.environments, name)?.allowHttp === true

/**
 * The API URL for the current environment, `<PREFIX>API_URL` over the environment's own, checked
 * against the transport policy: the variable may use plain http to another host only when the
 * current environment was added with `--allow-http`.
 */
const currentApiUrl = (
  brand: BrandShape,
  env: Settings.EnvSettings,
  config: ConfigFile
): Either.Either<string, InvalidInput | UsageError> => {
  const environment = config.currentEnvironment
  const allowHttp = allowsHttp(config, environment)
  return Option.match(env.apiUrl, {
    onSome: (url) =>
      Urls.checkTransport(url, { what: Settings.sourceNames(brand).apiUrl, allowHttp, usage: true }),
    onNone: () =>
      Urls.checkTransport(environmentApiUrl(brand, config, environment), {
        what: `the API URL of environment ${environment}`,
        allowHttp
      })
  })
}

/** Where a new login goes: the current environment, at `<PREFIX>API_URL` when that is set. */
export const loginTarget = Effect.gen(function*() {
  const brand = yield* Brand
  const env = yield* Settings.read
  const config = yield* (yield* ConfigStore).read
  const environment = config.currentEnvironment
  const apiUrl = yield* currentApiUrl(brand, env, config)
  return { environment, apiUrl, config, allowHttp: allowsHttp(config, environment) }
})

/** Decide where the credential comes from. Pure: every branch of the order is a case here. */
export const plan = (input: {
  readonly brand: BrandShape
  readonly flags: Flags
  readonly env: Settings.EnvSettings
  readonly config: ConfigFile
}): Either.Either<Plan, NotAuthenticated | InvalidInput | UsageError> => {
  const { brand, config, env, flags } = input
  const vars = Settings.sourceNames(brand)

  const projectFor = (profile: Option.Option<Profile>): Option.Option<ProjectChoice> =>
    Option.match(flags.project, {
      onSome: (id) => Option.some({ id, name: Option.none(), from: "flag" as const }),
      onNone: () =>
        Option.match(env.projectId, {
          onSome: (id) => Option.some({ id, name: Option.none(), from: "env" as const }),
          onNone: () =>
            profile.pipe(
              Option.flatMap((p) => Option.fromNullable(p.project)),
              Option.map((p) => ({ id: p.id, name: Option.fromNullable(p.name), from: "profile" as const }))
            )
        })
    })

  const fromProfile = (
    name: string,
    source: Source,
    missing: string
  ): Either.Either<Plan, NotAuthenticated | InvalidInput | UsageError> => {
    const profile = own(config.profiles, name)
    if (profile === undefined) return Either.left(new InvalidInput({ reason: missing, hint: Hint.List({ of: "profiles" }) }))
    const url = Urls.checkTransport(profile.apiUrl, {
      what: `the API URL of profile ${name}`,
      allowHttp: allowsHttp(config, profile.environment)
    })
    if (Either.isLeft(url)) return Either.left(url.left)
    const method: Option.Option<Method> = profile.apiKey
      ? Option.some("api-key")
      : profile.session
      ? Option.some("session")
      : Option.none()
    if (Option.isNone(method)) {
      return Either.left(new NotAuthenticated({ reason: `profile ${name} holds no credential`, hint: Hint.Login({ profile: name }) }))
    }
    return Either.right({
      _tag: "FromProfile",
      source,
      name,
      profile,
      method: method.value,
      project: projectFor(Option.some(profile))
    })
  }

  // 1. --profile
  if (Option.isSome(flags.profile)) {
    const name = flags.profile.value
    const valid = Names.validateExisting("profile", name, config.profiles, "--profile")
    if (Either.isLeft(valid)) return Either.left(valid.left)
    return fromProfile(name, { _tag: "ProfileFlag", profile: name }, `no profile named ${name}`)
  }

  // Which stored profile would apply without environment credentials (3 and 4).
  const current = config.currentProfile !== null && own(config.profiles, config.currentProfile) !== undefined
    ? Option.some(config.currentProfile)
    : Option.none<string>()
  // <PREFIX>PROFILE is checked even when <PREFIX>API_KEY wins: a bad name is a mistake either way.
  if (Option.isSome(env.profile)) {
    const valid = Names.validateExisting("profile", env.profile.value, config.profiles, vars.profile)
    if (Either.isLeft(valid)) return Either.left(valid.left)
  }
  const storedName = Option.orElse(env.profile, () => current)

  // 2. <PREFIX>API_KEY
  if (Option.isSome(env.apiKey) && !env.useProfile) {
    const environment = config.currentEnvironment
    const apiUrl = currentApiUrl(brand, env, config)
    if (Either.isLeft(apiUrl)) return Either.left(apiUrl.left)
    return Either.right({
      _tag: "FromEnv",
      source: { _tag: "EnvApiKey", variable: vars.apiKey },
      apiKey: env.apiKey.value,
      apiUrl: apiUrl.right,
      environment,
      project: projectFor(Option.none()),
      shadowed: storedName
    })
  }

  // 3. <PREFIX>PROFILE
  if (Option.isSome(env.profile)) {
    const name = env.profile.value
    return fromProfile(
      name,
      { _tag: "EnvProfile", variable: vars.profile, profile: name },
      `${vars.profile} names ${name}, but there is no such profile`
    )
  }

  // 4. the current profile
  if (Option.isSome(current)) {
    return fromProfile(current.value, { _tag: "CurrentProfile", profile: current.value }, "")
  }
  const others = Object.keys(config.profiles)
    .filter((name) => own(config.profiles, name)?.environment === config.currentEnvironment)
    .sort((a, b) => a.localeCompare(b))
  return Either.left(new NotAuthenticated({ reason: "not logged in", hint: others.length > 0 ? Hint.MakeCurrent({ others }) : Hint.Login({}) }))
}

export interface Resolved {
  readonly source: Source
  readonly method: Method
  readonly credential: Credential
  readonly environment: string
  /** The stored profile in use, if the credential came from one. */
  readonly profile: Option.Option<{ readonly name: string; readonly profile: Profile }>
  readonly project: Option.Option<ProjectChoice>
  /** Where the secret was read from. */
  readonly storage: "env" | StorageKind
  readonly storageLocation: string
  /** For a session: when its access token expires (epoch ms) and whether it can be refreshed. */
  readonly session: Option.Option<{ readonly expiresAt: number; readonly canRefresh: boolean }>
}

/** Resolve the credential for this invocation, reading its secret. Notifies `EnvShadowsProfile` when an environment variable shadows a stored profile. */
export const resolve = Effect.fn("Credentials.resolve")(function*(flags: Flags) {
  const brand = yield* Brand
  const env = yield* Settings.read
  const config = yield* (yield* ConfigStore).read
  const decided = yield* plan({ brand, flags, env, config })
  if (decided._tag === "FromEnv") {
    const vars = Settings.sourceNames(brand)
    if (Option.isSome(decided.shadowed)) {
      yield* Notice.notify(
        Notice.Notice.EnvShadowsProfile({ variable: vars.apiKey, profile: decided.shadowed.value, useProfileVariable: Settings.variableNames(brand).useProfile })
      )
    }
    return {
      source: decided.source,
      method: "api-key",
      credential: { apiUrl: decided.apiUrl, token: decided.apiKey, source: `the API key in ${vars.apiKey}` },
      environment: decided.environment,
      profile: Option.none(),
      project: decided.project,
      storage: "env",
      storageLocation: vars.apiKey,
      session: Option.none()
    } satisfies Resolved as Resolved
  }
  const secrets = yield* SecretStore
  const storage = secretsOf(decided.profile).find((s) => s.kind === decided.method)!.storage
  let token: Redacted.Redacted
  let session: Resolved["session"] = Option.none()
  if (decided.method === "session") {
    // Refreshes the access token first when it is about to expire.
    const access = yield* Session.accessToken(decided.name, decided.profile)
    token = access.token
    session = Option.some({ expiresAt: access.expiresAt, canRefresh: access.canRefresh })
  } else {
    const stored = yield* secrets.get({ id: decided.profile.secretId, kind: "api-key" }, storage)
    if (Option.isNone(stored)) {
      return yield* new NotAuthenticated({
        reason: `the API key of profile ${decided.name} is missing from ${secrets.location(storage)}`,
        hint: Hint.Login({ profile: decided.name })
      })
    }
    token = stored.value
  }
  return {
    source: decided.source,
    method: decided.method,
    credential: {
      apiUrl: decided.profile.apiUrl,
      token,
      source: `the ${decided.method === "session" ? "access token" : "API key"} of profile ${decided.name}`
    },
    environment: decided.profile.environment,
    profile: Option.some({ name: decided.name, profile: decided.profile }),
    project: decided.project,
    storage,
    storageLocation: secrets.location(storage),
    session
  } satisfies Resolved as Resolved
})

/** The stored profile behind a resolved credential; one from an environment variable has none to change. */
export const requireProfile = (resolved: Resolved) =>
  Effect.gen(function*() {
    if (Option.isSome(resolved.profile)) return resolved.profile.value
    const brand = yield* Brand
    const vars = Settings.sourceNames(brand)
    const projectId = Settings.variableNames(brand).projectId
    return yield* new InvalidInput({
      reason: `the credential comes from ${vars.apiKey}, which has no stored profile to change${projectId === undefined ? "" : `; set ${projectId} for the project`}`
    })
  })
