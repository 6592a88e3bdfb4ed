/**
 * The profiles file: environments, profiles and which of them are current. Profiles hold no
 * secrets, only where their secrets are (see `SecretStore`).
 *
 * The file layer decodes and validates the file on every read, writes atomically, runs every
 * read-modify-write under a cross-process lock, keeps the directory 0700 and the file 0600, and
 * never overwrites a file it could not read. It refuses a file or directory owned by another user
 * or writable by others, and a file over 4 MiB (see `internal/files.ts`).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as path from "node:path"
import { Brand } from "./Brand.js"
import * as ConfigLocation from "./ConfigLocation.js"
import { ConfigFileError, ConfigWriteError, type LockTimeout } from "./Errors.js"
import * as files from "./internal/files.js"
import { refuseProtoKeys } from "./internal/records.js"

export const StorageKind = Schema.Literal("file", "keyring", "memory")
export type StorageKind = typeof StorageKind.Type

export const Environment = Schema.Struct({
  apiUrl: Schema.String,
  /** OpenID issuer and client id, when not discovered from `/v1/cli/config`. */
  issuer: Schema.optional(Schema.String),
  clientId: Schema.optional(Schema.String),
  /** Added with `--allow-http`: plain http to hosts other than this machine is allowed (see `Urls`). */
  allowHttp: Schema.optional(Schema.Boolean),
  /** The profile that was current when this environment was last left. */
  currentProfile: Schema.optional(Schema.String)
})
export type Environment = typeof Environment.Type

export const User = Schema.Struct({
  id: Schema.String,
  email: Schema.String,
  name: Schema.optional(Schema.String)
})
export type User = typeof User.Type

export const Team = Schema.Struct({ id: Schema.String, slug: Schema.String, name: Schema.String })
export type Team = typeof Team.Type

export const Profile = Schema.Struct({
  environment: Schema.String,
  apiUrl: Schema.String,
  /** Stable handle of this profile's secrets in the secret store. */
  secretId: Schema.String,
  user: Schema.optional(User),
  team: Schema.optional(Team),
  project: Schema.optional(Schema.Struct({ id: Schema.String, name: Schema.optional(Schema.String) })),
  /** Present when the profile has an API key: where it is stored and a masked hint. */
  apiKey: Schema.optional(Schema.Struct({ storage: StorageKind, hint: Schema.String })),
  /** Present when the profile has a device-flow session: where its tokens are and how to refresh them. */
  session: Schema.optional(Schema.Struct({
    storage: StorageKind,
    issuer: Schema.String,
    clientId: Schema.String,
    /** The ID token's `sub`: logging in again as the same subject updates this profile. */
    subject: Schema.String,
    tokenEndpoint: Schema.String,
    revocationEndpoint: Schema.optional(Schema.String)
  })),
  createdAt: Schema.String,
  updatedAt: Schema.String
})
export type Profile = typeof Profile.Type

export const CONFIG_VERSION = 1

export const ConfigFile = Schema.Struct({
  version: Schema.Literal(CONFIG_VERSION),
  currentEnvironment: Schema.String,
  currentProfile: Schema.NullOr(Schema.String),
  environments: Schema.Record({ key: Schema.String, value: Environment }),
  profiles: Schema.Record({ key: Schema.String, value: Profile })
})
export type ConfigFile = typeof ConfigFile.Type

/** The state before anything was ever stored: the brand's built-in environment, no profiles. */
export const empty = (brand: { readonly defaultEnvironment: string; readonly defaultApiUrl: string }): ConfigFile => ({
  version: CONFIG_VERSION,
  currentEnvironment: brand.defaultEnvironment,
  currentProfile: null,
  environments: { [brand.defaultEnvironment]: { apiUrl: brand.defaultApiUrl } },
  profiles: {}
})

export interface ConfigStoreShape {
  /** Where the store lives, for messages (`memory` for the in-memory layer). */
  readonly location: string
  /** The directory that holds the store's files. */
  readonly directory: string
  readonly read: Effect.Effect<ConfigFile, ConfigFileError>
  /**
   * Read, transform and write back as one step, exclusive across processes. `f` returns the
   * result and the new config; if `f` fails nothing is written. Returning the same object
   * skips the write.
   */
  readonly modify: <A, E, R>(
    f: (config: ConfigFile) => Effect.Effect<readonly [A, ConfigFile], E, R>
  ) => Effect.Effect<A, E | ConfigFileError | ConfigWriteError | LockTimeout, R>
  /** Run `use` holding the named lock, exclusive across processes (e.g. one refresh per session). */
  readonly withLock: <A, E, R>(
    name: string,
    use: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | ConfigWriteError | LockTimeout, R>
}

export class ConfigStore extends Context.Tag("latchkey/ConfigStore")<ConfigStore, ConfigStoreShape>() {}

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson(ConfigFile, { reviver: refuseProtoKeys }))

/** Decode the file's text; every failure names what is wrong, in one line. */
export const decode = (file: string, text: string): Either.Either<ConfigFile, ConfigFileError> =>
  decodeJson(text).pipe(
    Either.mapLeft((error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : ""
      const what = issue ? issue.message.split("\n")[0] : "invalid content"
      const versionIssue = issue && issue.path[0] === "version"
      return new ConfigFileError({
        path: file,
        reason: versionIssue
          ? `unsupported config version${where} (this build reads version ${CONFIG_VERSION})`
          : text.trim().length === 0
          ? "the file is empty"
          : `invalid config${where}: ${what}`
      })
    })
  )

const encode = (config: ConfigFile): string => JSON.stringify(config, null, 2) + "\n"

export const CONFIG_FILE_NAME = ConfigLocation.CONFIG_FILE_NAME

/**
 * The profiles file at `path`; the secrets file and the lock files go in its directory. The CLI
 * wiring decides the path from the Brand and the environment (`Layers.locateConfigFile`).
 *
 * ```ts
 * ConfigStore.layerFile({ path: "/home/u/.inf/config.json" })
 * ```
 */
export const layerFile = (options: { readonly path: string }): Layer.Layer<ConfigStore, never, Brand> =>
  Layer.effect(
    ConfigStore,
    Effect.gen(function*() {
      const brand = yield* Brand
      const file = path.resolve(options.path)
      const directory = path.dirname(file)
      const read = files.readText(file).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.succeed(empty(brand)),
          onSome: (text) => Either.match(decode(file, text), { onLeft: Effect.fail, onRight: Effect.succeed })
        }))
      )
      return ConfigStore.of({
        location: file,
        directory,
        read,
        modify: (f) =>
          files.withLock(
            file,
            Effect.gen(function*() {
              // Read under the lock: a file we cannot decode fails here, before anything is written.
              const current = yield* read
              const [result, next] = yield* f(current)
              if (next !== current) yield* files.writeAtomic(file, encode(next))
              return result
            })
          ),
        // The name becomes a file name in the config directory (`session-<secretId>`, and the
        // secretId comes from the file): a name that could point elsewhere is refused.
        withLock: (name, use) =>
          /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)
            ? files.withLock(path.join(directory, name), use)
            : Effect.fail(new ConfigWriteError({ path: directory, reason: "invalid lock name (letters, digits, '.', '_' and '-' only)" }))
      })
    })
  )

/** An in-memory store, for tests; `initial` seeds it. */
export const makeMemory = (initial: ConfigFile) =>
  Effect.gen(function*() {
    const ref = yield* Ref.make(initial)
    const lock = yield* Effect.makeSemaphore(1)
    const named = new Map<string, Effect.Semaphore>()
    return ConfigStore.of({
      withLock: (name, use) =>
        Effect.suspend(() => {
          let semaphore = named.get(name)
          if (semaphore === undefined) {
            semaphore = Effect.unsafeMakeSemaphore(1)
            named.set(name, semaphore)
          }
          return semaphore.withPermits(1)(use)
        }),
      location: "memory",
      directory: "memory",
      read: Ref.get(ref),
      modify: (f) =>
        lock.withPermits(1)(
          Effect.gen(function*() {
            const current = yield* Ref.get(ref)
            const [result, next] = yield* f(current)
            yield* Ref.set(ref, next)
            return result
          })
        )
    })
  })

export const layerMemory = (initial?: ConfigFile): Layer.Layer<ConfigStore, never, Brand> =>
  Layer.effect(ConfigStore, Effect.flatMap(Brand, (brand) => makeMemory(initial ?? empty(brand))))
