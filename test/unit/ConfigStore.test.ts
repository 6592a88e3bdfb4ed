import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as ConfigStore from "../../src/ConfigStore.js"
import * as files from "../../src/internal/files.js"
import { profile } from "../support/Configs.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"

const fileStore = (dir: string) =>
  Effect.gen(function*() {
    const t = yield* TestLayers.make({ configDir: dir })
    return { t, store: yield* t.provide(ConfigStore.ConfigStore) }
  })

const addProfile = (name: string) => (c: ConfigStore.ConfigFile) =>
  Effect.succeed([name, { ...c, profiles: { ...c.profiles, [name]: profile() } }] as const)

const mode = (p: string) => Effect.promise(() => fs.stat(p)).pipe(Effect.map((s) => s.mode & 0o777))

describe("ConfigStore.layerFile", () => {
  it.scoped("a missing file reads as the brand's empty config", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const { store } = yield* fileStore(path.join(dir, "cfg"))
      const config = yield* store.read
      assert.strictEqual(config.currentEnvironment, "default")
      assert.deepStrictEqual(config.profiles, {})
      assert.strictEqual(store.location, path.join(dir, "cfg", "config.json"))
    }))

  it.scoped("modify writes atomically; the file decodes again; no temp or lock files remain", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const cfg = path.join(dir, "cfg")
      const { store } = yield* fileStore(cfg)
      yield* store.modify(addProfile("one"))
      yield* store.modify(addProfile("two"))
      const config = yield* store.read
      assert.deepStrictEqual(Object.keys(config.profiles).sort(), ["one", "two"])
      assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(cfg)), ["config.json"])
    }))

  it.scoped("the directory is 0700 and the file 0600 under umask 000", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const cfg = path.join(dir, "a", "b")
      const { store } = yield* fileStore(cfg)
      const previous = process.umask(0)
      yield* store.modify(addProfile("one")).pipe(Effect.ensuring(Effect.sync(() => process.umask(previous))))
      assert.strictEqual(yield* mode(cfg), 0o700)
      assert.strictEqual(yield* mode(path.join(cfg, "config.json")), 0o600)
    }))

  it.scoped("a file it cannot decode fails with the path and reason, and is never overwritten", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      const { store } = yield* fileStore(dir)
      const cases = [
        ["{ not json", "invalid config"],
        ["", "the file is empty"],
        [JSON.stringify({ version: 99, currentEnvironment: "x", currentProfile: null, environments: {}, profiles: {} }), "unsupported config version"],
        [JSON.stringify({ version: 1, currentEnvironment: "x", currentProfile: null, environments: {}, profiles: { p: { apiUrl: 3 } } }), "at profiles.p"],
        // Decoded into a record, this entry would replace the record's prototype, and the next
        // write would drop it without a word.
        [`{"version":1,"currentEnvironment":"default","currentProfile":null,"environments":{},"profiles":{"__proto__":${JSON.stringify(profile())}}}`, "__proto__"]
      ] as const
      for (const [content, expected] of cases) {
        yield* Effect.promise(() => fs.writeFile(file, content))
        const error = yield* Effect.flip(store.modify(addProfile("new")))
        assert.strictEqual(error._tag, "ConfigFileError")
        assert.include(error.message, file)
        assert.include(error.message, expected)
        assert.notInclude(error.message, "\n")
        assert.strictEqual(yield* Effect.promise(() => fs.readFile(file, "utf8")), content)
      }
    }))

  it.scoped("a failing transformation writes nothing", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const { store } = yield* fileStore(dir)
      yield* store.modify(addProfile("kept"))
      const before = yield* Effect.promise(() => fs.readFile(path.join(dir, "config.json"), "utf8"))
      const exit = yield* Effect.exit(store.modify(() => Effect.fail("boom" as const)))
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(path.join(dir, "config.json"), "utf8")), before)
    }))

  it.scoped("concurrent read-modify-writes lose nothing", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      // Separate store instances, as separate processes would have.
      const stores = yield* Effect.forEach(Array.from({ length: 10 }), () => fileStore(dir).pipe(Effect.map((s) => s.store)))
      yield* TestClock.setTime(0)
      const fiber = yield* Effect.fork(
        Effect.forEach(stores, (s, i) => s.modify(addProfile(`p${i}`)), { concurrency: "unbounded" })
      )
      // Lock waits sleep on the Clock: advance it until every writer is through.
      while ((yield* Fiber.poll(fiber))._tag === "None") {
        yield* TestClock.adjust("50 millis")
        yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      }
      yield* Fiber.join(fiber)
      const config = yield* stores[0]!.read
      assert.strictEqual(Object.keys(config.profiles).length, 10)
    }))
})

describe("ConfigStore.withLock", () => {
  it.scoped("a named lock lives in the config directory; a name that could point elsewhere is refused", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const cfg = path.join(dir, "cfg")
      const { store } = yield* fileStore(cfg)
      assert.strictEqual(yield* store.withLock("session-0b1c", Effect.succeed("ran")), "ran")
      for (const name of ["../escape", "a/b", "", ".hidden", "x\u0000y"]) {
        const error = yield* Effect.flip(store.withLock(name, Effect.succeed("ran")))
        assert.strictEqual(error._tag, "ConfigWriteError")
      }
      assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(dir)), ["cfg"])
      assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(cfg)), [])
    }))
})

describe("files.withLock", () => {
  it.scoped("breaks a lock left by a process that is gone", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      // pid 2^22+1 exceeds Linux's pid_max default ceiling, so no such process runs.
      yield* Effect.promise(() => fs.writeFile(`${file}.lock`, JSON.stringify({ pid: 4194305, at: 0 })))
      const result = yield* files.withLock(file, Effect.succeed("ran"))
      assert.strictEqual(result, "ran")
      assert.isFalse(yield* Effect.promise(() => fs.access(`${file}.lock`).then(() => true, () => false)))
    }))

  it.scoped("gives up with LockTimeout while a live process holds the lock", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      yield* Effect.promise(() => fs.writeFile(`${file}.lock`, JSON.stringify({ pid: process.pid, at: Date.now() })))
      const fiber = yield* Effect.fork(files.withLock(file, Effect.succeed("ran"), { timeout: "2 seconds", staleAfter: "1 hour" }))
      while ((yield* Fiber.poll(fiber))._tag === "None") {
        yield* TestClock.adjust("100 millis")
        yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      }
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "LockTimeout")
      assert.include(error.message, `${file}.lock`)
      // The holder's lock is left alone.
      assert.isTrue(yield* Effect.promise(() => fs.access(`${file}.lock`).then(() => true, () => false)))
    }))
})
