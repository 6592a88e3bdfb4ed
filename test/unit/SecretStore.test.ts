import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { existsSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as Keyring from "../../src/Keyring.js"
import { SecretStore } from "../../src/SecretStore.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"

const ref = { id: "abc", kind: "api-key" } as const
const secret = Redacted.make("lk_secret_value")
const exists = (p: string) => Effect.promise(() => fs.access(p).then(() => true, () => false))

/** The live SecretStore over a temp config dir and the given keyring port. */
const store = (keyring: typeof Keyring.Keyring.Service, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const dir = yield* TempDir.make
    const t = yield* TestLayers.make({ configDir: dir, keyring, env })
    const service = yield* t.provide(SecretStore)
    // Every call runs with the test's recording console, where announcements land.
    const secrets = {
      store: (...a: Parameters<typeof service.store>) => t.provide(service.store(...a)),
      put: (...a: Parameters<typeof service.put>) => t.provide(service.put(...a)),
      get: (...a: Parameters<typeof service.get>) => t.provide(service.get(...a)),
      remove: (...a: Parameters<typeof service.remove>) => t.provide(service.remove(...a))
    }
    return { dir, t, file: path.join(dir, "secrets.json"), secrets }
  })

describe("SecretStore: the plaintext file", () => {
  it.scoped("put, get, remove; the file is 0600; removing twice is fine", () =>
    Effect.gen(function*() {
      const { file, secrets } = yield* store(Keyring.unavailable("none"))
      assert.deepStrictEqual(yield* secrets.get(ref, "file"), Option.none())
      yield* secrets.put(ref, secret, "file")
      yield* secrets.put({ id: "abc", kind: "session" }, Redacted.make("tok"), "file")
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* secrets.get(ref, "file"))), "lk_secret_value")
      assert.strictEqual((yield* Effect.promise(() => fs.stat(file))).mode & 0o777, 0o600)
      yield* secrets.remove(ref, "file")
      yield* secrets.remove(ref, "file")
      assert.deepStrictEqual(yield* secrets.get(ref, "file"), Option.none())
      assert.isTrue(Option.isSome(yield* secrets.get({ id: "abc", kind: "session" }, "file")))
    }))

  it.scoped("a broken secrets file is an error and is left as it is", () =>
    Effect.gen(function*() {
      const { file, secrets } = yield* store(Keyring.unavailable("none"))
      yield* Effect.promise(() => fs.writeFile(file, "garbage"))
      const error = yield* Effect.flip(secrets.put(ref, secret, "file"))
      assert.strictEqual(error._tag, "SecretStoreError")
      assert.include(error.message, file)
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(file, "utf8")), "garbage")
    }))
})

describe("SecretStore: the OS keyring, with an announced fallback", () => {
  it.scoped("keyring available: new secrets go there, and no file is written", () =>
    Effect.gen(function*() {
      const memory = yield* Keyring.makeMemory
      const { file, secrets, t } = yield* store(memory.keyring)
      assert.strictEqual(yield* secrets.store(ref, secret, { insecure: false }), "keyring")
      assert.deepStrictEqual([...memory.entries], [["abc/api-key", "lk_secret_value"]])
      assert.isFalse(yield* exists(file))
      assert.deepStrictEqual(t.recorded.stderr, [])
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* secrets.get(ref, "keyring"))), "lk_secret_value")
      yield* secrets.remove(ref, "keyring")
      assert.strictEqual(memory.entries.size, 0)
      // A keyring entry that is already gone is not an error.
      yield* secrets.remove(ref, "keyring")
    }))

  it.scoped("keyring unavailable: the fallback is announced before the plaintext file is written", () =>
    Effect.gen(function*() {
      const { file, secrets, t } = yield* store(Keyring.unavailable("org.freedesktop.DBus.Error.ServiceUnknown"))
      // Observe the order: at the moment the announcement is made, the file must not exist yet.
      const fileExistedWhenAnnounced: Array<boolean> = []
      const announced = t.recorded.stderr
      const push = announced.push.bind(announced)
      announced.push = (...lines: Array<string>) => {
        fileExistedWhenAnnounced.push(existsSync(file))
        return push(...lines)
      }
      assert.strictEqual(yield* secrets.store(ref, secret, { insecure: false }), "file")
      assert.strictEqual(announced.length, 1)
      assert.include(announced[0]!, "the OS keyring is not available (org.freedesktop.DBus.Error.ServiceUnknown)")
      assert.include(announced[0]!, `storing the credential in plaintext in ${file} instead`)
      assert.include(announced[0]!, "LATCHKEY_KEYRING=0")
      assert.deepStrictEqual(fileExistedWhenAnnounced, [false])
      assert.isTrue(yield* exists(file))
    }))

  it.scoped("a keyring call that hangs: fallback after the 3-second time box (TestClock)", () =>
    Effect.gen(function*() {
      const { secrets, t } = yield* store(Keyring.hanging)
      const fiber = yield* Effect.fork(secrets.store(ref, secret, { insecure: false }))
      yield* TestClock.adjust("2999 millis")
      assert.strictEqual((yield* Fiber.poll(fiber))._tag, "None", "still waiting within the time box")
      assert.deepStrictEqual(t.recorded.stderr, [])
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "file")
      assert.include(t.recorded.stderr[0]!, "the OS keyring is not available (no answer within 3s)")
    }))

  it.scoped("reads a hanging keyring fail after the time box instead of hanging", () =>
    Effect.gen(function*() {
      const { secrets } = yield* store(Keyring.hanging)
      const fiber = yield* Effect.fork(secrets.get(ref, "keyring"))
      yield* TestClock.adjust("3 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.include(error.message, "no answer within 3s")
    }))

  it.scoped("read after fallback: the value comes from the file, where the profile says it is", () =>
    Effect.gen(function*() {
      const { secrets } = yield* store(Keyring.unavailable("locked"))
      const storage = yield* secrets.store(ref, secret, { insecure: false })
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* secrets.get(ref, storage))), "lk_secret_value")
    }))

  it.scoped("--insecure-storage and LATCHKEY_KEYRING=0 choose the file without trying the keyring, announced once, before writing", () =>
    Effect.gen(function*() {
      const memory = yield* Keyring.makeMemory
      const flagged = yield* store(memory.keyring)
      assert.strictEqual(yield* flagged.secrets.store(ref, secret, { insecure: true }), "file")
      const variable = yield* store(memory.keyring, { LATCHKEY_KEYRING: "0" })
      assert.strictEqual(yield* variable.secrets.store(ref, secret, { insecure: false }), "file")
      assert.strictEqual(memory.entries.size, 0, "the keyring was not touched")
      // Plaintext storage is never silent: one line naming the file and the choice (the login's
      // output says nothing more about it).
      assert.deepStrictEqual(flagged.t.recorded.stderr, [`latchkey: storing the credential in plaintext (mode 0600) in ${flagged.file} (--insecure-storage)`])
      assert.deepStrictEqual(variable.t.recorded.stderr, [`latchkey: storing the credential in plaintext (mode 0600) in ${variable.file} (LATCHKEY_KEYRING=0)`])
    }))
})

describe("SecretStore.layerMemory", () => {
  it.effect("keeps values per profile and kind", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make()
      const secrets = yield* t.provide(SecretStore)
      yield* secrets.put(ref, Redacted.make("one"), "memory")
      yield* secrets.put({ id: "other", kind: "api-key" }, Redacted.make("two"), "memory")
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* secrets.get(ref, "memory"))), "one")
      yield* secrets.remove(ref, "memory")
      assert.deepStrictEqual([...(yield* t.secrets).keys()], ["other/api-key"])
    }))
})
