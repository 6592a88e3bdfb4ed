/**
 * The OS keyring, as a port: get, set and delete a password by account under the brand's
 * service name. The live layer is `@napi-rs/keyring` (its Linux binary ships inside the npm
 * package): on Linux it is pinned to the Secret Service, because the library's default silently
 * falls back to the kernel keyutils session keyring, which is lost at logout. macOS Keychain and
 * Windows Credential Manager come through the same library (untested here).
 *
 * Calls are not time-boxed here; `SecretStore` does that, on the Clock, so tests can drive it.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Brand } from "./Brand.js"
import * as external from "./internal/external.js"

export class KeyringError extends Data.TaggedError("KeyringError")<{ readonly reason: string }> {}

export interface KeyringShape {
  /** "Secret Service", "macOS Keychain", "Windows Credential Manager", or a test name. */
  readonly name: string
  readonly get: (account: string) => Effect.Effect<Option.Option<string>, KeyringError>
  readonly set: (account: string, value: string) => Effect.Effect<void, KeyringError>
  /** True when something was deleted; an absent entry is not an error. */
  readonly remove: (account: string) => Effect.Effect<boolean, KeyringError>
}

export class Keyring extends Context.Tag("latchkey/Keyring")<Keyring, KeyringShape>() {}

const platformName = () =>
  process.platform === "darwin" ? "macOS Keychain" : process.platform === "win32" ? "Windows Credential Manager" : "Secret Service"

const reason = (e: unknown) => {
  const text = e instanceof Error ? e.message : String(e)
  return text.split("\n")[0]!.slice(0, 200)
}

/** `@napi-rs/keyring`, loaded only when a secret is actually read or written. */
export const layer: Layer.Layer<Keyring, never, Brand> = Layer.effect(
  Keyring,
  Effect.gen(function*() {
    const brand = yield* Brand
    let loaded: Promise<typeof import("@napi-rs/keyring")> | undefined
    const entry = (account: string) =>
      Effect.tryPromise({
        try: () =>
          (loaded ??= external.load(
            () => require("@napi-rs/keyring") as typeof import("@napi-rs/keyring"),
            () => import("@napi-rs/keyring")
          )),
        catch: (e) => new KeyringError({ reason: `the keyring library could not be loaded: ${reason(e)}` })
      }).pipe(
        // Pinning the store makes the constructor throw when the Secret Service is out of reach.
        Effect.flatMap((m) =>
          Effect.try({
            try: () => new m.AsyncEntry(brand.keyringService, account, { linux: { store: "secret-service" } }),
            catch: (e) => new KeyringError({ reason: reason(e) })
          })
        )
      )
    const call = <A>(account: string, f: (e: import("@napi-rs/keyring").AsyncEntry, signal: AbortSignal) => Promise<A>) =>
      Effect.flatMap(entry(account), (e) =>
        Effect.tryPromise({
          try: (signal) => f(e, signal),
          catch: (error) => new KeyringError({ reason: reason(error) })
        }))
    return Keyring.of({
      name: platformName(),
      get: (account) => call(account, (e, signal) => e.getPassword(signal)).pipe(Effect.map(Option.fromNullable)),
      set: (account, value) => call(account, (e, signal) => e.setPassword(value, signal)),
      remove: (account) => call(account, (e, signal) => e.deleteCredential(signal))
    })
  })
)

/** A working keyring in memory; `entries` exposes it to tests. */
export const makeMemory = Effect.sync(() => {
  const entries = new Map<string, string>()
  const keyring = Keyring.of({
    name: "test keyring",
    get: (account) => Effect.sync(() => Option.fromNullable(entries.get(account))),
    set: (account, value) => Effect.sync(() => void entries.set(account, value)),
    remove: (account) => Effect.sync(() => entries.delete(account))
  })
  return { keyring, entries }
})

/** A keyring that refuses every call, as one without D-Bus or a Secret Service does. */
export const unavailable = (why: string) =>
  Keyring.of({
    name: "test keyring",
    get: () => new KeyringError({ reason: why }),
    set: () => new KeyringError({ reason: why }),
    remove: () => new KeyringError({ reason: why })
  })

/** A keyring whose every call hangs, as a wedged D-Bus does. */
export const hanging = Keyring.of({
  name: "test keyring",
  get: () => Effect.never,
  set: () => Effect.never,
  remove: () => Effect.never
})
