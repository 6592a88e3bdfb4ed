/**
 * Environments: named platform deployments (production, staging, a local sandbox). Profiles
 * belong to one; `auth list` shows those of the current environment.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Brand } from "./Brand.js"
import { type ConfigFile, ConfigStore, type Environment } from "./ConfigStore.js"
import { InvalidInput } from "./Errors.js"
import { PlatformApi } from "./PlatformApi.js"

export interface EnvironmentView {
  readonly name: string
  readonly current: boolean
  readonly apiUrl: string
  readonly issuer: string | null
  readonly clientId: string | null
  readonly profiles: number
}

const all = (config: ConfigFile, defaultName: string, defaultApiUrl: string): Record<string, Environment> => ({
  [defaultName]: { apiUrl: defaultApiUrl },
  ...config.environments
})

/** `environments get`. */
export const list = Effect.fn("Environments.list")(function*() {
  const brand = yield* Brand
  const config = yield* (yield* ConfigStore).read
  return Object.entries(all(config, brand.defaultEnvironment, brand.defaultApiUrl))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, e]): EnvironmentView => ({
      name,
      current: config.currentEnvironment === name,
      apiUrl: e.apiUrl,
      issuer: e.issuer ?? null,
      clientId: e.clientId ?? null,
      profiles: Object.values(config.profiles).filter((p) => p.environment === name).length
    }))
})

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export const parseUrl = (raw: string, what: string): Effect.Effect<string, InvalidInput> => {
  try {
    const url = new URL(raw)
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http")
    return Effect.succeed(url.href.replace(/\/+$/, ""))
  } catch {
    return Effect.fail(new InvalidInput({ reason: `${what} must be an http(s) URL, not ${JSON.stringify(raw)}` }))
  }
}

/** `environments add NAME --api-url URL`: probes the server (`GET /v1/cli/config`) unless told not to. */
export const add = Effect.fn("Environments.add")(function*(input: {
  readonly name: string
  readonly apiUrl: string
  readonly issuer: Option.Option<string>
  readonly clientId: Option.Option<string>
  readonly probe: boolean
}) {
  if (!NAME.test(input.name)) {
    return yield* new InvalidInput({ reason: `environment names are letters, digits, ".", "_" and "-", not ${JSON.stringify(input.name)}` })
  }
  const apiUrl = yield* parseUrl(input.apiUrl, "--api-url")
  const issuer = yield* Effect.transposeOption(Option.map(input.issuer, (i) => parseUrl(i, "--issuer")))
  const discovered = input.probe ? Option.some(yield* (yield* PlatformApi).cliConfig(apiUrl)) : Option.none()
  const store = yield* ConfigStore
  const environment: Environment = {
    apiUrl,
    ...Option.match(issuer, { onNone: () => ({}), onSome: (issuer) => ({ issuer }) }),
    ...Option.match(input.clientId, { onNone: () => ({}), onSome: (clientId) => ({ clientId }) })
  }
  const existed = yield* store.modify((config) => {
    const previous = config.environments[input.name]
    const kept = previous?.currentProfile === undefined ? {} : { currentProfile: previous.currentProfile }
    return Effect.succeed([
      previous !== undefined,
      { ...config, environments: { ...config.environments, [input.name]: { ...environment, ...kept } } }
    ] as const)
  })
  return {
    name: input.name,
    updated: existed,
    apiUrl,
    issuer: Option.getOrNull(issuer),
    clientId: Option.getOrNull(input.clientId),
    discovered: Option.getOrNull(discovered)
  }
})

/** `environments use NAME`: switch, remembering each environment's current profile. */
export const use = Effect.fn("Environments.use")(function*(name: string) {
  const brand = yield* Brand
  const store = yield* ConfigStore
  return yield* store.modify((config) => {
    const environments = all(config, brand.defaultEnvironment, brand.defaultApiUrl)
    const target = environments[name]
    if (target === undefined) {
      return Effect.fail(new InvalidInput({ reason: `no environment named ${name} (see \`${brand.name} environments get\`)` }))
    }
    const leaving = environments[config.currentEnvironment]
    const remembered = target.currentProfile !== undefined && config.profiles[target.currentProfile]?.environment === name
      ? target.currentProfile
      : Object.keys(config.profiles).sort().find((p) => config.profiles[p]!.environment === name) ?? null
    const updated: Record<string, Environment> = { ...environments }
    if (leaving !== undefined && config.currentProfile !== null) {
      updated[config.currentEnvironment] = { ...leaving, currentProfile: config.currentProfile }
    }
    return Effect.succeed([
      { name, currentProfile: remembered },
      { ...config, environments: updated, currentEnvironment: name, currentProfile: remembered }
    ] as const)
  })
})

/** `environments delete NAME`: only an environment without profiles, and never the built-in one. */
export const remove = Effect.fn("Environments.delete")(function*(name: string) {
  const brand = yield* Brand
  const store = yield* ConfigStore
  return yield* store.modify((config) => {
    if (name === brand.defaultEnvironment) {
      return Effect.fail(new InvalidInput({ reason: `${name} is the built-in environment and cannot be deleted` }))
    }
    if (config.environments[name] === undefined) {
      return Effect.fail(new InvalidInput({ reason: `no environment named ${name}` }))
    }
    const profiles = Object.keys(config.profiles).filter((p) => config.profiles[p]!.environment === name)
    if (profiles.length > 0) {
      return Effect.fail(new InvalidInput({
        reason: `environment ${name} still has profiles (${profiles.join(", ")}); log them out first`
      }))
    }
    const { [name]: _, ...environments } = config.environments
    const wasCurrent = config.currentEnvironment === name
    return Effect.succeed([
      { name, wasCurrent },
      {
        ...config,
        environments,
        ...(wasCurrent ? { currentEnvironment: brand.defaultEnvironment, currentProfile: null } : {})
      }
    ] as const)
  })
})
