/**
 * Use cases over stored profiles: list and show them, choose the current one, set a profile's
 * project, log out, and the one place that saves a profile with its secret.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { randomUUID } from "node:crypto"
import { Brand } from "./Brand.js"
import { type ConfigFile, ConfigStore, type Profile, type Team, type User } from "./ConfigStore.js"
import * as Credentials from "./Credentials.js"
import { Hint, InvalidInput, UsageError } from "./Errors.js"
import { own } from "./internal/records.js"
import * as Names from "./Names.js"
import type { Project } from "./PlatformApi.js"
import { Prompt } from "./Prompt.js"
import { SecretStore, secretsOf, type StorageKind } from "./SecretStore.js"
import * as Session from "./Session.js"
import * as Settings from "./Settings.js"

/** `lk_****3f9a`: the brand prefix (when it has one and the key starts with it) and the last four characters; `****3f9a` without. */
export const maskKey = (key: Redacted.Redacted, prefix: string | undefined): string => {
  const value = Redacted.value(key)
  const head = prefix !== undefined && value.startsWith(prefix) ? prefix : ""
  const tail = value.length - head.length >= 12 ? value.slice(-4) : ""
  return `${head}****${tail}`
}

/** What `auth list`, `auth get` and `auth status` show of a profile. No secrets. */
export interface ProfileView {
  readonly name: string
  readonly current: boolean
  readonly environment: string
  readonly apiUrl: string
  readonly user: User | null
  readonly team: Team | null
  readonly project: { readonly id: string; readonly name: string | null } | null
  readonly method: Credentials.Method | null
  readonly maskedKey: string | null
  readonly storage: string | null
  readonly createdAt: string
  readonly updatedAt: string
  /** For a session: when its access token expires (ISO 8601) and whether it can be refreshed; else `null`. */
  readonly expiresAt: string | null
  readonly canRefresh: boolean | null
}

export const view = (config: ConfigFile, name: string, profile: Profile): ProfileView => ({
  name,
  current: config.currentProfile === name,
  environment: profile.environment,
  apiUrl: profile.apiUrl,
  user: profile.user ?? null,
  team: profile.team ?? null,
  project: profile.project ? { id: profile.project.id, name: profile.project.name ?? null } : null,
  method: profile.apiKey ? "api-key" : profile.session ? "session" : null,
  maskedKey: profile.apiKey?.hint ?? null,
  storage: storageLabel((profile.apiKey ?? profile.session)?.storage),
  createdAt: profile.createdAt,
  updatedAt: profile.updatedAt,
  expiresAt: null,
  canRefresh: null
})

/**
 * `view` with the session's expiry read from the secret store. A session that cannot be read
 * (missing, unreadable, a keyring that does not answer) shows `null`s; listing goes on.
 */
const viewWithSession = (config: ConfigFile, name: string, profile: Profile) =>
  Effect.gen(function*() {
    const shown = view(config, name, profile)
    if (profile.apiKey !== undefined || profile.session === undefined) return shown
    const tokens = yield* Effect.option(Session.read(name, profile))
    if (Option.isNone(tokens)) return shown
    return {
      ...shown,
      expiresAt: new Date(tokens.value.expiresAt).toISOString(),
      canRefresh: tokens.value.refreshToken !== undefined
    } satisfies ProfileView as ProfileView
  })

/** How a store is shown to people: the file is plaintext, and says so. */
export const storageLabel = (storage: StorageKind | "env" | undefined): string | null =>
  storage === undefined ? null : storage === "file" ? "file (plaintext)" : storage

const inEnvironment = (config: ConfigFile) =>
  Object.entries(config.profiles)
    .filter(([, p]) => p.environment === config.currentEnvironment)
    .sort(([a], [b]) => a.localeCompare(b))

/** `auth list` / `auth get`: the profiles of the current environment. */
export const list = Effect.fn("Profiles.list")(function*() {
  const config = yield* (yield* ConfigStore).read
  return {
    environment: config.currentEnvironment,
    profiles: yield* Effect.forEach(inEnvironment(config), ([name, p]) => viewWithSession(config, name, p))
  }
})

const unknownProfile = (name: string) =>
  new InvalidInput({ reason: `no profile named ${name}`, hint: Hint.List({ of: "profiles" }) })

/** `auth get NAME`. */
export const get = Effect.fn("Profiles.get")(function*(name: string) {
  const config = yield* (yield* ConfigStore).read
  yield* Names.validateExisting("profile", name, config.profiles)
  const profile = own(config.profiles, name)
  if (profile === undefined) return yield* unknownProfile(name)
  return yield* viewWithSession(config, name, profile)
})

/** Ask for a profile of the current environment when the user gave none and may be asked. */
const chooseProfile = Effect.fn("Profiles.choose")(function*(purpose: string, interactive: boolean) {
  if (!interactive) {
    return yield* new UsageError({ reason: `name the profile to ${purpose}`, hint: Hint.List({ of: "profiles" }) })
  }
  const config = yield* (yield* ConfigStore).read
  const candidates = inEnvironment(config)
  if (candidates.length === 0) {
    return yield* new InvalidInput({ reason: `no profiles in environment ${config.currentEnvironment}` })
  }
  const prompt = yield* Prompt
  return yield* prompt.select(
    `Profile to ${purpose}`,
    candidates.map(([name, p]) => ({
      title: name,
      value: name,
      description: [p.user?.email, p.project?.id].filter(Boolean).join(" · ")
    }))
  )
})

/** `auth use [NAME]` / `auth switch`: make a profile current (and its environment with it). */
export const use = Effect.fn("Profiles.use")(function*(name: Option.Option<string>, interactive: boolean) {
  const store = yield* ConfigStore
  const chosen = Option.isSome(name) ? name.value : yield* chooseProfile("use", interactive)
  return yield* store.modify((config) =>
    Effect.gen(function*() {
      yield* Names.validateExisting("profile", chosen, config.profiles)
      const profile = own(config.profiles, chosen)
      if (profile === undefined) return yield* unknownProfile(chosen)
      const next: ConfigFile = {
        ...config,
        currentProfile: chosen,
        currentEnvironment: profile.environment
      }
      return [{ name: chosen, environment: profile.environment }, next] as const
    })
  )
})

/**
 * `auth logout [NAME]`: revoke the session at the provider (a failure is reported, not fatal),
 * then remove the profile and its secrets. Without NAME, the current profile.
 */
export const logout = Effect.fn("Profiles.logout")(function*(name: Option.Option<string>) {
  const brand = yield* Brand
  const store = yield* ConfigStore
  const secrets = yield* SecretStore
  const env = yield* Settings.read
  const before = yield* store.read
  const target = Option.getOrNull(name) ?? before.currentProfile
  if (target === null) {
    return yield* new UsageError({ reason: `no current profile; name the profile to log out` })
  }
  yield* Names.validateExisting("profile", target, before.profiles)
  const stored = own(before.profiles, target)
  if (stored === undefined) return yield* unknownProfile(target)
  // Outside the config lock: revocation is a network call.
  const revocationFailed = yield* Session.revoke(target, stored, { allowHttp: Credentials.allowsHttp(before, stored.environment) })
  const result = yield* store.modify((config) =>
    Effect.gen(function*() {
      const profile = own(config.profiles, target)
      if (profile === undefined) return yield* unknownProfile(target)
      // Secrets first, from wherever each is: a profile removed while its secret stayed behind
      // would orphan a credential.
      for (const { kind, storage } of secretsOf(profile)) yield* secrets.remove({ id: profile.secretId, kind }, storage)
      const { [target]: _removed, ...profiles } = config.profiles
      const wasCurrent = config.currentProfile === target
      const environments = Object.fromEntries(
        Object.entries(config.environments).map(([k, e]) => {
          if (e.currentProfile !== target) return [k, e]
          const { currentProfile: _, ...rest } = e
          return [k, rest]
        })
      )
      // Left without a current profile: the ones a user may pick instead.
      const others = wasCurrent
        ? Object.keys(profiles).filter((n) => own(profiles, n)?.environment === stored.environment).sort((a, b) => a.localeCompare(b))
        : []
      return [
        { name: target, wasCurrent, revoked: stored.session !== undefined && Option.isNone(revocationFailed), others },
        { ...config, profiles, environments, currentProfile: wasCurrent ? null : config.currentProfile }
      ] as const
    })
  )
  const vars = Settings.sourceNames(brand)
  return {
    ...result,
    revocationFailed,
    envKeyStillSet: Option.isSome(env.apiKey) ? Option.some(vars.apiKey) : Option.none()
  }
})

/**
 * Make a profile name from the key's owner: `alice-key-3f9a`. Whatever the server says the email
 * is, the result follows the name rule (`Names`): the local part is cut to the allowed
 * characters and 64 of them, and falls back to `api` when nothing is left.
 */
export const apiKeyProfileName = (user: User, key: Redacted.Redacted): string => {
  const local = (user.email.slice(0, 256).split("@")[0] ?? "").toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 64)
  const tail = Redacted.value(key).slice(-4).toLowerCase().replace(/[^a-z0-9]/g, "")
  return `${local === "" ? "api" : local}-key${tail === "" ? "" : `-${tail}`}`
}

/** What a login stores besides the profile's identity: an API key, or a session. */
export type Credential =
  | { readonly kind: "api-key"; readonly key: Redacted.Redacted }
  | {
    readonly kind: "session"
    readonly tokens: Redacted.Redacted
    readonly session: Omit<NonNullable<Profile["session"]>, "storage">
  }

export interface SaveProfile {
  readonly name: string
  readonly environment: string
  readonly apiUrl: string
  readonly credential: Credential
  readonly user: User
  readonly team: Option.Option<Team>
  readonly project: Option.Option<{ readonly id: string; readonly name: string }>
  readonly makeCurrent: boolean
  /** `--insecure-storage`: the plaintext file, without trying the keyring. */
  readonly insecure: boolean
}

/**
 * Store a credential in the secret store and the profile that refers to it, as one locked step.
 * A new profile whose config write fails leaves no secret behind.
 */
export const save = Effect.fn("Profiles.save")(function*(input: SaveProfile) {
  const brand = yield* Brand
  const store = yield* ConfigStore
  const secrets = yield* SecretStore
  const now = new Date(yield* Clock.currentTimeMillis).toISOString()
  const kind = input.credential.kind
  // A new profile's secret, to remove if the config write fails; a secret's old copy in another
  // store, to remove once the config points at the new one.
  let storedNew: Option.Option<{ id: string; storage: StorageKind }> = Option.none()
  let oldCopy: Option.Option<{ id: string; storage: StorageKind }> = Option.none()
  const saved = yield* store.modify((config) =>
    Effect.gen(function*() {
      // A new profile's name must follow the rule; one stored before the rule keeps its name.
      yield* Names.validateExisting("profile", input.name, config.profiles)
      const existing = own(config.profiles, input.name)
      if (existing && existing.environment !== input.environment) {
        return yield* new InvalidInput({
          reason: `profile ${input.name} belongs to environment ${existing.environment}`,
          hint: Hint.OtherProfileName()
        })
      }
      if (existing?.user && existing.user.id !== input.user.id) {
        return yield* new InvalidInput({
          reason: `profile ${input.name} is ${existing.user.email}'s, but this login is ${input.user.email}'s`,
          hint: Hint.OtherProfileName()
        })
      }
      const secretId = existing?.secretId ?? randomUUID()
      const credential = input.credential
      const storage = yield* secrets.store(
        { id: secretId, kind },
        credential.kind === "api-key" ? credential.key : credential.tokens,
        { insecure: input.insecure }
      )
      if (existing === undefined) storedNew = Option.some({ id: secretId, storage })
      const previous = existing && secretsOf(existing).find((s) => s.kind === kind)?.storage
      if (previous !== undefined && previous !== storage) oldCopy = Option.some({ id: secretId, storage: previous })
      // Team and project are replaced, not merged: a project of another team would be wrong.
      const { project: _project, team: _team, ...rest } = existing ?? {}
      const profile: Profile = {
        ...rest,
        environment: input.environment,
        apiUrl: input.apiUrl,
        secretId,
        user: input.user,
        ...Option.match(input.team, { onNone: () => ({}), onSome: (team) => ({ team }) }),
        ...Option.match(input.project, { onNone: () => ({}), onSome: (p) => ({ project: { id: p.id, name: p.name } }) }),
        ...(credential.kind === "api-key"
          ? { apiKey: { storage, hint: maskKey(credential.key, brand.keyPrefix) } }
          : { session: { storage, ...credential.session } }),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now
      }
      const next: ConfigFile = {
        ...config,
        profiles: { ...config.profiles, [input.name]: profile },
        ...(input.makeCurrent ? { currentProfile: input.name, currentEnvironment: input.environment } : {})
      }
      return [
        { name: input.name, profile, created: existing === undefined, storage, storageLocation: secrets.location(storage) },
        next
      ] as const
    })
  ).pipe(
    // The secret of a new profile whose config write failed would be an orphan: remove it.
    Effect.tapError(() =>
      Option.match(storedNew, {
        onNone: () => Effect.void,
        onSome: ({ id, storage }) => Effect.ignore(secrets.remove({ id, kind }, storage))
      })
    )
  )
  // The profile now points at the new store; the old copy must not linger to be read by mistake.
  yield* Option.match(oldCopy, {
    onNone: () => Effect.void,
    onSome: ({ id, storage }) => secrets.remove({ id, kind }, storage)
  })
  return saved
})

/** Set the project of a stored profile. */
export const setProject = Effect.fn("Profiles.setProject")(function*(name: string, project: Project, team: Option.Option<Team>) {
  const store = yield* ConfigStore
  const now = new Date(yield* Clock.currentTimeMillis).toISOString()
  return yield* store.modify((config) => {
    const profile = own(config.profiles, name)
    if (profile === undefined) return Effect.fail(unknownProfile(name))
    const updated: Profile = {
      ...profile,
      project: { id: project.id, name: project.name },
      ...Option.match(team, { onNone: () => ({}), onSome: (t) => ({ team: t }) }),
      updatedAt: now
    }
    return Effect.succeed([updated, { ...config, profiles: { ...config.profiles, [name]: updated } }] as const)
  })
})
