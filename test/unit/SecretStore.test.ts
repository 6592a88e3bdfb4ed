import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { SecretStore } from "../../src/SecretStore.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"

const ref = { id: "abc", kind: "api-key" } as const

describe("SecretStore.layerFile", () => {
  it.scoped("set, get, remove; the file is 0600; removing twice is fine", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const t = yield* TestLayers.make({ configDir: dir })
      const store = yield* t.provide(SecretStore)
      assert.strictEqual(store.kind, "file")
      assert.deepStrictEqual(yield* store.get(ref), Option.none())
      yield* store.set(ref, Redacted.make("lk_secret"))
      yield* store.set({ id: "abc", kind: "session" }, Redacted.make("tok"))
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* store.get(ref))), "lk_secret")
      const stat = yield* Effect.promise(() => fs.stat(path.join(dir, "secrets.json")))
      assert.strictEqual(stat.mode & 0o777, 0o600)
      yield* store.remove(ref)
      yield* store.remove(ref)
      assert.deepStrictEqual(yield* store.get(ref), Option.none())
      assert.isTrue(Option.isSome(yield* store.get({ id: "abc", kind: "session" })))
    }))

  it.scoped("a broken secrets file is an error and is left as it is", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "secrets.json")
      yield* Effect.promise(() => fs.writeFile(file, "garbage"))
      const t = yield* TestLayers.make({ configDir: dir })
      const store = yield* t.provide(SecretStore)
      const error = yield* Effect.flip(store.set(ref, Redacted.make("lk_x")))
      assert.strictEqual(error._tag, "SecretStoreError")
      assert.include(error.message, file)
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(file, "utf8")), "garbage")
    }))
})

describe("SecretStore.layerMemory", () => {
  it.effect("keeps values per profile and kind", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make()
      const store = yield* t.provide(SecretStore)
      yield* store.set(ref, Redacted.make("one"))
      yield* store.set({ id: "other", kind: "api-key" }, Redacted.make("two"))
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* store.get(ref))), "one")
      yield* store.remove(ref)
      assert.deepStrictEqual([...(yield* t.secrets).keys()], ["other/api-key"])
    }))
})
