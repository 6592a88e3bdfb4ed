/**
 * Where API keys and session tokens live. Profiles refer to secrets by a `SecretRef`; values
 * stay `Redacted` until the moment they are sent.
 *
 * Layers: `layerFile` (a 0600 JSON file beside the config, written atomically under a lock) and
 * `layerMemory` (tests). The OS keyring layer comes with its own issue.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as path from "node:path"
import * as ConfigStore from "./ConfigStore.js"
import { SecretStoreError } from "./Errors.js"
import * as files from "./internal/files.js"

export type SecretKind = "api-key" | "session"

export interface SecretRef {
  /** The profile's `secretId`. */
  readonly id: string
  readonly kind: SecretKind
}

export const account = (ref: SecretRef): string => `${ref.id}/${ref.kind}`

export interface SecretStoreShape {
  readonly kind: ConfigStore.StorageKind
  /** Where the secrets are, for `status` ("/home/me/.config/latchkey/secrets.json"). */
  readonly location: string
  readonly get: (ref: SecretRef) => Effect.Effect<Option.Option<Redacted.Redacted>, SecretStoreError>
  readonly set: (ref: SecretRef, value: Redacted.Redacted) => Effect.Effect<void, SecretStoreError>
  /** Removing a secret that is not there is not an error. */
  readonly remove: (ref: SecretRef) => Effect.Effect<void, SecretStoreError>
}

export class SecretStore extends Context.Tag("latchkey/SecretStore")<SecretStore, SecretStoreShape>() {}

const SecretsFile = Schema.parseJson(Schema.Struct({
  version: Schema.Literal(1),
  secrets: Schema.Record({ key: Schema.String, value: Schema.String })
}))
type SecretsFile = typeof SecretsFile.Type

export const SECRETS_FILE_NAME = "secrets.json"

/** A plaintext 0600 file in the config directory. */
export const layerFile: Layer.Layer<SecretStore, never, ConfigStore.ConfigStore> = Layer.effect(
  SecretStore,
  Effect.gen(function*() {
    const config = yield* ConfigStore.ConfigStore
    const file = path.join(config.directory, SECRETS_FILE_NAME)
    const fail = (reason: string) => new SecretStoreError({ store: file, reason })
    const read = files.readText(file).pipe(
      Effect.mapError((e) => fail(e.reason)),
      Effect.flatMap(Option.match({
        onNone: () => Effect.succeed<SecretsFile>({ version: 1, secrets: {} }),
        onSome: (text) =>
          Schema.decodeUnknown(SecretsFile)(text).pipe(
            Effect.mapError(() => fail("the file is not a valid secrets file (it was left as it is)"))
          )
      }))
    )
    const update = (f: (secrets: Record<string, string>) => Record<string, string> | undefined) =>
      files.ensureDir(config.directory).pipe(
        Effect.zipRight(files.withLock(
          file,
          Effect.gen(function*() {
            const current = yield* read
            const next = f({ ...current.secrets })
            if (next === undefined) return
            yield* files.writeAtomic(file, JSON.stringify({ version: 1, secrets: next }, null, 2) + "\n")
          })
        )),
        Effect.mapError((e) => e._tag === "SecretStoreError" ? e : fail(e.message))
      )
    return SecretStore.of({
      kind: "file",
      location: file,
      get: (ref) =>
        read.pipe(Effect.map((f) => Option.fromNullable(f.secrets[account(ref)]).pipe(Option.map(Redacted.make)))),
      set: (ref, value) =>
        update((secrets) => {
          secrets[account(ref)] = Redacted.value(value)
          return secrets
        }),
      remove: (ref) =>
        update((secrets) => {
          if (!(account(ref) in secrets)) return undefined
          delete secrets[account(ref)]
          return secrets
        })
    })
  })
)

/** An in-memory store; `entries` exposes its content to tests. */
export const makeMemory = Effect.gen(function*() {
  const entries = yield* Ref.make(new Map<string, string>())
  const store = SecretStore.of({
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
  })
  return { store, entries }
})

export const layerMemory: Layer.Layer<SecretStore> = Layer.effect(SecretStore, Effect.map(makeMemory, (m) => m.store))
