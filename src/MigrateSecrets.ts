/**
 * `auth migrate-secrets --to keyring|file`: move profiles' secrets between stores. Atomic per
 * profile: each secret is written to the new store and read back; only when every secret of the
 * profile is confirmed there does the profile point at the new store, and only then is the old
 * copy deleted. A failure leaves that profile exactly as it was.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ConfigStore, type Profile } from "./ConfigStore.js"
import { Hint, InvalidInput, SecretStoreError } from "./Errors.js"
import { has, own } from "./internal/records.js"
import * as Names from "./Names.js"
import { SecretStore, secretsOf, type StorageKind } from "./SecretStore.js"

export interface Moved {
  readonly profile: string
  readonly from: ReadonlyArray<string>
  readonly to: StorageKind
  readonly status: "moved" | "already there" | "failed"
  readonly error: string | null
}

const moveOne = Effect.fn("MigrateSecrets.moveOne")(function*(name: string, profile: Profile, to: StorageKind) {
  const secrets = yield* SecretStore
  const store = yield* ConfigStore
  const pending = secretsOf(profile).filter((c) => c.storage !== to)
  if (pending.length === 0) return { profile: name, from: [], to, status: "already there", error: null } satisfies Moved
  // 1. Copy and confirm.
  for (const { kind, storage } of pending) {
    const ref = { id: profile.secretId, kind }
    const value = yield* secrets.get(ref, storage)
    if (Option.isNone(value)) {
      return yield* new SecretStoreError({ store: secrets.location(storage), reason: `the ${kind} of profile ${name} is missing` })
    }
    yield* secrets.put(ref, value.value, to)
    const back = yield* secrets.get(ref, to)
    if (Option.isNone(back) || Redacted.value(back.value) !== Redacted.value(value.value)) {
      return yield* new SecretStoreError({ store: secrets.location(to), reason: `the ${kind} did not read back as written` })
    }
  }
  // 2. Point the profile at the new store.
  yield* store.modify((config) => {
    const current = own(config.profiles, name)
    if (current === undefined) return Effect.fail(new InvalidInput({ reason: `profile ${name} was removed meanwhile` }))
    const updated: Profile = {
      ...current,
      ...(current.apiKey ? { apiKey: { ...current.apiKey, storage: to } } : {}),
      ...(current.session ? { session: { ...current.session, storage: to } } : {})
    }
    return Effect.succeed([undefined, { ...config, profiles: { ...config.profiles, [name]: updated } }] as const)
  })
  // 3. Only now delete the old copies.
  for (const { kind, storage } of pending) yield* secrets.remove({ id: profile.secretId, kind }, storage)
  return { profile: name, from: [...new Set(pending.map((p) => p.storage))], to, status: "moved", error: null } satisfies Moved
})

export const migrate = Effect.fn("MigrateSecrets.migrate")(function*(to: StorageKind, only: Option.Option<string>) {
  const config = yield* (yield* ConfigStore).read
  const names = Option.match(only, { onNone: () => Object.keys(config.profiles).sort(), onSome: (n) => [n] })
  if (Option.isSome(only)) {
    yield* Names.validateExisting("profile", only.value, config.profiles, "--profile")
    if (!has(config.profiles, only.value)) {
      return yield* new InvalidInput({ reason: `no profile named ${only.value}`, hint: Hint.List({ of: "profiles" }) })
    }
  }
  const results: Array<Moved> = []
  for (const name of names) {
    const outcome = yield* moveOne(name, own(config.profiles, name)!, to).pipe(
      Effect.catchAll((e) =>
        Effect.succeed({ profile: name, from: [], to, status: "failed", error: e.message } satisfies Moved)
      )
    )
    results.push(outcome)
  }
  return results
})
