/**
 * Environments: named platform deployments (production, staging, a local sandbox). Profiles
 * belong to one; `auth list` shows those of the current environment.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Brand } from "./Brand.js"
import { type ConfigFile, ConfigStore, type Environment } from "./ConfigStore.js"
import { Hint, InvalidInput, UsageError } from "./Errors.js"
import { own } from "./internal/records.js"
import { sanitize, truncate } from "./internal/text.js"
import * as Names from "./Names.js"
import { PlatformApi } from "./PlatformApi.js"
import * as Urls from "./Urls.js"

export interface EnvironmentView {
  readonly name: string
  readonly current: boolean
  readonly apiUrl: string
  readonly issuer: string | null
  readonly clientId: string | null
  /** Added with `--allow-http`. */
  readonly allowHttp: boolean
  readonly profiles: number
}

// Computed keys and spreads define own properties, so no name can reach Object.prototype here.
const all = (config: ConfigFile, defaultName: string, defaultApiUrl: string): Record<string, Environment> => ({
  [defaultName]: { apiUrl: defaultApiUrl },
  ...config.environments
})

/** The settings of environment `name` (the brand's built-in one included), by own key only. */
export const settings = (
  config: ConfigFile,
  brand: { readonly defaultEnvironment: string; readonly defaultApiUrl: string },
  name: string
): Environment | undefined => own(all(config, brand.defaultEnvironment, brand.defaultApiUrl), name)

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
      allowHttp: e.allowHttp === true,
      profiles: Object.values(config.profiles).filter((p) => p.environment === name).length
    }))
})

/** A URL the user typed: absolute http(s), without trailing slashes; a bad one is a usage error. */
export const parseUrl = (raw: string, what: string): Effect.Effect<string, UsageError> => {
  try {
    const url = new URL(raw)
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http")
    return Effect.succeed(url.href.replace(/\/+$/, ""))
  } catch {
    return Effect.fail(new UsageError({ reason: `${what} must be an http(s) URL, not ${JSON.stringify(truncate(sanitize(raw), 200))}` }))
  }
}

/** `environments add NAME --api-url URL`: probes the server (`GET /v1/cli/config`) unless told not to. */
export const add = Effect.fn("Environments.add")(function*(input: {
  readonly name: string
  readonly apiUrl: string
  readonly issuer: Option.Option<string>
  readonly clientId: Option.Option<string>
  readonly probe: boolean
  /** `--allow-http`: plain http to other hosts is allowed for this environment's URLs. */
  readonly allowHttp?: boolean
}) {
  const allowHttp = input.allowHttp === true
  yield* Names.check("environment", input.name)
  // Checked before the probe: a refused URL is never contacted.
  const apiUrl = yield* parseUrl(input.apiUrl, "--api-url").pipe(
    Effect.flatMap((url) => Urls.checkTransport(url, { what: "--api-url", allowHttp, usage: true }))
  )
  const issuer = yield* Effect.transposeOption(Option.map(input.issuer, (i) =>
    parseUrl(i, "--issuer").pipe(
      Effect.flatMap((url) => Urls.checkTransport(url, { what: "--issuer", allowHttp, usage: true }))
    )
  ))
  const discovered = input.probe ? Option.some(yield* (yield* PlatformApi).cliConfig(apiUrl)) : Option.none()
  const store = yield* ConfigStore
  const environment: Environment = {
    apiUrl,
    ...Option.match(issuer, { onNone: () => ({}), onSome: (issuer) => ({ issuer }) }),
    ...Option.match(input.clientId, { onNone: () => ({}), onSome: (clientId) => ({ clientId }) }),
    ...(allowHttp ? { allowHttp: true } : {})
  }
  const existed = yield* store.modify((config) => {
    const previous = own(config.environments, input.name)
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
    allowHttp,
    discovered: Option.getOrNull(discovered)
  }
})

/** `environments use NAME`: switch, remembering each environment's current profile. */
export const use = Effect.fn("Environments.use")(function*(name: string) {
  const brand = yield* Brand
  const store = yield* ConfigStore
  return yield* store.modify((config) =>
    Effect.gen(function*() {
      const environments = all(config, brand.defaultEnvironment, brand.defaultApiUrl)
      yield* Names.validateExisting("environment", name, environments)
      const target = own(environments, name)
      if (target === undefined) {
        return yield* new InvalidInput({ reason: `no environment named ${name}`, hint: Hint.List({ of: "environments" }) })
      }
      const leaving = own(environments, config.currentEnvironment)
      const remembered = target.currentProfile !== undefined && own(config.profiles, target.currentProfile)?.environment === name
        ? target.currentProfile
        : profilesOf(config, name)[0] ?? null
      const updated: Record<string, Environment> = leaving !== undefined && config.currentProfile !== null
        ? { ...environments, [config.currentEnvironment]: { ...leaving, currentProfile: config.currentProfile } }
        : environments
      return [
        { name, currentProfile: remembered },
        { ...config, environments: updated, currentEnvironment: name, currentProfile: remembered }
      ] as const
    })
  )
})

/** The names of the profiles of environment `name`, sorted. */
const profilesOf = (config: ConfigFile, name: string): Array<string> =>
  Object.entries(config.profiles).filter(([, p]) => p.environment === name).map(([p]) => p).sort()

/** `environments delete NAME`: only an environment without profiles, and never the built-in one. */
export const remove = Effect.fn("Environments.delete")(function*(name: string) {
  const brand = yield* Brand
  const store = yield* ConfigStore
  return yield* store.modify((config) =>
    Effect.gen(function*() {
      yield* Names.validateExisting("environment", name, config.environments)
      if (name === brand.defaultEnvironment) {
        return yield* new InvalidInput({ reason: `${name} is the built-in environment and cannot be deleted` })
      }
      if (own(config.environments, name) === undefined) {
        return yield* new InvalidInput({ reason: `no environment named ${name}` })
      }
      const profiles = profilesOf(config, name)
      if (profiles.length > 0) {
        return yield* new InvalidInput({
          reason: `environment ${name} still has profiles (${profiles.join(", ")}); log them out first`
        })
      }
      const { [name]: _, ...environments } = config.environments
      const wasCurrent = config.currentEnvironment === name
      return [
        { name, wasCurrent },
        {
          ...config,
          environments,
          ...(wasCurrent ? { currentEnvironment: brand.defaultEnvironment, currentProfile: null } : {})
        }
      ] as const
    })
  )
})
