/**
 * Where API keys and session tokens live. Profiles refer to secrets by a `SecretRef` and record
 * which store holds them; values stay `Redacted` until the moment they are sent.
 *
 * New secrets go to the OS keyring. When the keyring cannot be reached (no D-Bus, no Secret
 * Service, locked, or a call that takes longer than 3 seconds), it says so (a `KeyringFallback`
 * notice, which the CLI prints) *before* it writes the plaintext file, then uses the 0600 file. `--insecure-storage` and
 * `<PREFIX>KEYRING=0` choose the file without trying the keyring. Every keyring call is
 * time-boxed on the Clock, so a hung D-Bus never hangs the CLI.
 *
 * Reads, rewrites and removals go to the store the profile recorded, never to "the default": a
 * stale keyring entry cannot shadow a newer file value, or the reverse.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as path from "node:path"
import { Brand } from "./Brand.js"
import * as ConfigStore from "./ConfigStore.js"
import { SecretStoreError } from "./Errors.js"
import * as files from "./internal/files.js"
import { has, own, refuseProtoKeys } from "./internal/records.js"
import { Keyring, type KeyringError } from "./Keyring.js"
import * as Notice from "./Notice.js"
import * as Settings from "./Settings.js"

export type SecretKind = "api-key" | "session"
export type StorageKind = ConfigStore.StorageKind

export interface SecretRef {
  /** The profile's `secretId`. */
  readonly id: string
  readonly kind: SecretKind
}

export const account = (ref: SecretRef): string => `${ref.id}/${ref.kind}`

/** The secrets a profile records, each with the store that holds it. */
export const secretsOf = (profile: ConfigStore.Profile): Array<{ readonly kind: SecretKind; readonly storage: StorageKind }> => [
  ...(profile.apiKey ? [{ kind: "api-key" as const, storage: profile.apiKey.storage }] : []),
  ...(profile.session ? [{ kind: "session" as const, storage: profile.session.storage }] : [])
]

/** One place secrets can be kept. */
export interface Backend {
  readonly kind: StorageKind
  /** For messages: a path, or the keyring's name. */
  readonly location: string
  readonly get: (ref: SecretRef) => Effect.Effect<Option.Option<Redacted.Redacted>, SecretStoreError>
  readonly set: (ref: SecretRef, value: Redacted.Redacted) => Effect.Effect<void, SecretStoreError>
  /** Removing a secret that is not there is not an error. */
  readonly remove: (ref: SecretRef) => Effect.Effect<void, SecretStoreError>
}

export interface StoreOptions {
  /** `--insecure-storage`: the plaintext file, without trying the keyring. */
  readonly insecure: boolean
}

export interface SecretStoreShape {
  /**
   * Store a new secret where new secrets go; returns the store it went to. Plaintext storage is
   * a `KeyringFallback` or `PlaintextChosen` notice, delivered before the file is written.
   */
  readonly store: (ref: SecretRef, value: Redacted.Redacted, options: StoreOptions) => Effect.Effect<StorageKind, SecretStoreError, Notice.Notices>
  /** Write to a given store (a refreshed session stays where it was; migration). */
  readonly put: (ref: SecretRef, value: Redacted.Redacted, storage: StorageKind) => Effect.Effect<void, SecretStoreError>
  readonly get: (ref: SecretRef, storage: StorageKind) => Effect.Effect<Option.Option<Redacted.Redacted>, SecretStoreError>
  readonly remove: (ref: SecretRef, storage: StorageKind) => Effect.Effect<void, SecretStoreError>
  readonly location: (storage: StorageKind) => string
}

export class SecretStore extends Context.Tag("latchkey/SecretStore")<SecretStore, SecretStoreShape>() {}

/** Every keyring call gives up after this long. */
export const KEYRING_TIMEOUT = Duration.seconds(3)

export const SECRETS_FILE_NAME = "secrets.json"

const SecretsFile = Schema.parseJson(Schema.Struct({
  version: Schema.Literal(1),
  secrets: Schema.Record({ key: Schema.String, value: Schema.String })
}), { reviver: refuseProtoKeys })
type SecretsFile = typeof SecretsFile.Type

/** A plaintext 0600 JSON file in the config directory, written atomically under a lock. */
export const makeFileBackend = (directory: string): Backend => {
  const file = path.join(directory, SECRETS_FILE_NAME)
  const fail = (reason: string) => new SecretStoreError({ store: file, reason })
  // Refused (and left as it is): a file readable or writable by other users, or larger than the cap.
  const read = files.readText(file, { secret: true }).pipe(
    Effect.mapError((e) => new SecretStoreError({ store: e.path, reason: `${e.reason} (the file was left as it is)` })),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed<SecretsFile>({ version: 1, secrets: {} }),
      onSome: (text) =>
        Schema.decodeUnknown(SecretsFile)(text).pipe(
          Effect.mapError(() => fail("the file is not a valid secrets file (it was left as it is)"))
        )
    }))
  )
  const update = (f: (secrets: Record<string, string>) => Record<string, string> | undefined) =>
    files.withLock(
      file,
      Effect.gen(function*() {
        const current = yield* read
        const next = f({ ...current.secrets })
        if (next === undefined) return
        yield* files.writeAtomic(file, JSON.stringify({ version: 1, secrets: next }, null, 2) + "\n")
      })
    ).pipe(Effect.mapError((e) => e._tag === "SecretStoreError" ? e : fail(e.message)))
  return {
    kind: "file",
    location: file,
    get: (ref) => read.pipe(Effect.map((f) => Option.fromNullable(own(f.secrets, account(ref))).pipe(Option.map(Redacted.make)))),
    set: (ref, value) =>
      update((secrets) => {
        secrets[account(ref)] = Redacted.value(value)
        return secrets
      }),
    remove: (ref) =>
      update((secrets) => {
        if (!has(secrets, account(ref))) return undefined
        delete secrets[account(ref)]
        return secrets
      })
  }
}

/** The OS keyring behind a Backend, every call time-boxed. */
export const makeKeyringBackend = (keyring: typeof Keyring.Service): Backend => {
  const where = `OS keyring (${keyring.name})`
  const boxed = <A>(effect: Effect.Effect<A, KeyringError>) =>
    effect.pipe(
      Effect.timeoutFail({
        duration: KEYRING_TIMEOUT,
        onTimeout: () => new SecretStoreError({ store: where, reason: `no answer within ${Duration.format(KEYRING_TIMEOUT)}` })
      }),
      Effect.mapError((e) => e._tag === "SecretStoreError" ? e : new SecretStoreError({ store: where, reason: e.reason }))
    )
  return {
    kind: "keyring",
    location: where,
    get: (ref) => boxed(keyring.get(account(ref))).pipe(Effect.map(Option.map(Redacted.make))),
    set: (ref, value) => boxed(keyring.set(account(ref), Redacted.value(value))),
    remove: (ref) => boxed(keyring.remove(account(ref))).pipe(Effect.asVoid)
  }
}

/** Route to the backend a profile recorded; `store` prefers the keyring and announces any fallback. */
export const make = (backends: { readonly file: Backend; readonly keyring: Backend; readonly keyringEnabled: boolean; readonly disableVariable: string | undefined }) => {
  const backend = (storage: StorageKind): Backend => (storage === "keyring" ? backends.keyring : backends.file)
  return SecretStore.of({
    store: (ref, value, options) =>
      Effect.gen(function*() {
        // Plaintext storage is never silent, and said once, before the file is written (gh
        // announces its fallback afterwards), whether chosen or fallen back to.
        if (options.insecure || !backends.keyringEnabled) {
          yield* Notice.notify(Notice.Notice.PlaintextChosen({
            file: backends.file.location,
            by: options.insecure ? "option" : "variable",
            variable: backends.disableVariable
          }))
          yield* backends.file.set(ref, value)
          return "file" as const
        }
        const written = yield* Effect.either(backends.keyring.set(ref, value))
        if (written._tag === "Right") return "keyring" as const
        yield* Notice.notify(Notice.Notice.KeyringFallback({
          reason: written.left.reason,
          file: backends.file.location,
          disableVariable: backends.disableVariable
        }))
        yield* backends.file.set(ref, value)
        return "file" as const
      }),
    put: (ref, value, storage) => backend(storage).set(ref, value),
    get: (ref, storage) => backend(storage).get(ref),
    remove: (ref, storage) => backend(storage).remove(ref),
    location: (storage) => backend(storage).location
  })
}

/** The live store: the OS keyring by default, the 0600 file in the config directory as fallback. */
export const layer: Layer.Layer<SecretStore, never, ConfigStore.ConfigStore | Keyring | Brand> = Layer.effect(
  SecretStore,
  Effect.gen(function*() {
    const config = yield* ConfigStore.ConfigStore
    const keyring = yield* Keyring
    const brand = yield* Brand
    const env = yield* Settings.read
    return make({
      file: makeFileBackend(config.directory),
      keyring: makeKeyringBackend(keyring),
      keyringEnabled: env.keyring,
      disableVariable: Settings.variableNames(brand).keyring
    })
  })
)

/** One in-memory store for every kind, for tests; `entries` exposes its content. */
export const makeMemory = Effect.gen(function*() {
  const entries = yield* Ref.make(new Map<string, string>())
  const memory: Backend = {
    kind: "memory",
    location: "memory",
    get: (ref) => Ref.get(entries).pipe(Effect.map((m) => Option.fromNullable(m.get(account(ref))).pipe(Option.map(Redacted.make)))),
    set: (ref, value) => Ref.update(entries, (m) => new Map(m).set(account(ref), Redacted.value(value))),
    remove: (ref) =>
      Ref.update(entries, (m) => {
        const next = new Map(m)
        next.delete(account(ref))
        return next
      })
  }
  const store = SecretStore.of({
    store: (ref, value) => memory.set(ref, value).pipe(Effect.as("memory" as const)),
    put: (ref, value) => memory.set(ref, value),
    get: (ref) => memory.get(ref),
    remove: (ref) => memory.remove(ref),
    location: () => "memory"
  })
  return { store, entries }
})

export const layerMemory: Layer.Layer<SecretStore> = Layer.effect(SecretStore, Effect.map(makeMemory, (m) => m.store))
