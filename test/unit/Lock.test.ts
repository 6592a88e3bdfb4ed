/**
 * The file layer against racing, crashed and foreign writers, on real temp dirs: the lock's
 * exclusion, stale claims (dead holder, empty, future-dated), the heartbeat, crash residue,
 * files of another user or writable by others, and the size cap.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { spawnSync } from "node:child_process"
import { statSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as ConfigStore from "../../src/ConfigStore.js"
import * as files from "../../src/internal/files.js"
import { makeFileBackend } from "../../src/SecretStore.js"
import { profile } from "../support/Configs.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"

const exists = (p: string) => Effect.promise(() => fs.access(p).then(() => true, () => false))
const listing = (dir: string) => Effect.promise(() => fs.readdir(dir)).pipe(Effect.map((l) => l.sort()))
const write = (p: string, text: string, mode = 0o600) =>
  Effect.promise(async () => {
    await fs.writeFile(p, text, { mode })
    await fs.chmod(p, mode)
  })
const setTimes = (p: string, offsetMillis: number) =>
  Effect.promise(() => {
    const at = new Date(Date.now() + offsetMillis)
    return fs.utimes(p, at, at)
  })
const tick = Effect.promise(() => new Promise((r) => setImmediate(r)))
const realSleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))
/** A pid that certainly ran and certainly ended. */
const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!
const HOST = files.HOST

/** Run `effect` to completion, advancing the TestClock in steps, and say how much clock time it took. */
const driven = <A, E>(effect: Effect.Effect<A, E>, step: Duration.DurationInput = "100 millis") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    let steps = 0
    while ((yield* Fiber.poll(fiber))._tag === "None") {
      yield* TestClock.adjust(step)
      yield* tick
      steps++
    }
    return { exit: yield* Fiber.await(fiber), steps }
  })

const fileStore = (dir: string) =>
  Effect.gen(function*() {
    const t = yield* TestLayers.make({ configDir: dir })
    return yield* t.provide(ConfigStore.ConfigStore)
  })

const addProfile = (name: string) => (c: ConfigStore.ConfigFile) =>
  Effect.succeed([name, { ...c, profiles: { ...c.profiles, [name]: profile() } }] as const)

describe("files.withLock: exclusion", () => {
  it.live("contenders racing to break a stale lock never overlap, and no claim is left (8 rounds of 24)", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      let inside = 0
      let overlaps = 0
      let runs = 0
      const critical = Effect.gen(function*() {
        inside++
        if (inside > 1) overlaps++
        yield* realSleep(1)
        inside--
        runs++
      })
      for (let round = 0; round < 8; round++) {
        // A crashed holder: the earlier fixed-name lock of a dead process, which every racer sees stale at once.
        yield* write(`${file}.lock`, JSON.stringify({ pid: deadPid(), at: 0 }))
        yield* Effect.forEach(
          Array.from({ length: 24 }),
          () => files.withLock(file, critical, { timeout: "30 seconds", staleAfter: "30 seconds" }),
          { concurrency: "unbounded" }
        )
      }
      assert.strictEqual(runs, 8 * 24)
      assert.strictEqual(overlaps, 0, "two holders at once")
      assert.deepStrictEqual(yield* listing(dir), [])
    }).pipe(Effect.scoped))

  it.live("a holder slower than staleAfter keeps its lock (heartbeat); release removes only its own claim", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      const options = { timeout: "10 seconds", staleAfter: "300 millis" } as const
      const events: Array<string> = []
      const slow = files.withLock(
        file,
        Effect.gen(function*() {
          events.push("slow in")
          yield* realSleep(1_200)
          events.push("slow out")
        }),
        options
      )
      const second = files.withLock(file, Effect.sync(() => events.push("second in")), options)
      const fiber = yield* Effect.fork(slow)
      yield* realSleep(100)
      yield* second
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(events, ["slow in", "slow out", "second in"])
      assert.deepStrictEqual(yield* listing(dir), [])
    }).pipe(Effect.scoped))

  it.scoped("gives up with LockTimeout while a live holder's claim is fresh, and leaves it alone", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      const claim = path.join(dir, `.config.json.lock.${HOST}.${process.pid}.0011223344556677`)
      yield* write(claim, "")
      const { exit } = yield* driven(files.withLock(file, Effect.succeed("ran"), { timeout: "2 seconds", staleAfter: "1 hour" }))
      assert.isTrue(exit._tag === "Failure")
      const error = yield* Effect.flip(exit)
      assert.strictEqual(error._tag, "LockTimeout")
      assert.include(error.message, claim)
      assert.isTrue(yield* exists(claim))
    }))
})

describe("files.withLock: stale locks", () => {
  it.scoped("a claim or earlier lock of a dead process is broken at once", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      const pid = deadPid()
      yield* write(path.join(dir, `.config.json.lock.${HOST}.${pid}.0011223344556677`), "")
      yield* write(`${file}.lock`, JSON.stringify({ pid, at: Date.now() }))
      const { exit, steps } = yield* driven(files.withLock(file, Effect.succeed("ran"), { timeout: "10 seconds", staleAfter: "1 hour" }))
      assert.deepStrictEqual(exit._tag === "Success" ? exit.value : exit, "ran")
      assert.isBelow(steps, 3)
      assert.deepStrictEqual(yield* listing(dir), [])
    }))

  it.scoped("an empty or garbage lock file (a crash between create and write) is stale after the 2-second grace, not before", () =>
    Effect.gen(function*() {
      for (const content of ["", "{\"pi"]) {
        const dir = yield* TempDir.make
        const file = path.join(dir, "config.json")
        yield* write(`${file}.lock`, content)
        const { exit, steps } = yield* driven(files.withLock(file, Effect.succeed("ran"), { timeout: "10 seconds", staleAfter: "1 hour" }))
        assert.strictEqual(exit._tag, "Success", JSON.stringify(content))
        // 100 ms steps: more than the grace, far less than staleAfter.
        assert.isAtLeast(steps, 15)
        assert.isBelow(steps, 40)
        assert.deepStrictEqual(yield* listing(dir), [])
      }
    }))

  it.scoped("a future-dated lock of a live pid is not immortal: stale once it sat unchanged for staleAfter", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      const claim = path.join(dir, `.config.json.lock.${HOST}.${process.pid}.8899aabbccddeeff`)
      yield* write(claim, "")
      yield* setTimes(claim, 3_600_000)
      yield* write(`${file}.lock`, JSON.stringify({ pid: process.pid }))
      yield* setTimes(`${file}.lock`, 86_400_000)
      const { exit, steps } = yield* driven(files.withLock(file, Effect.succeed("ran"), { timeout: "20 seconds", staleAfter: "5 seconds" }))
      assert.strictEqual(exit._tag, "Success")
      assert.isAtLeast(steps, 45)
      assert.isBelow(steps, 80)
      assert.deepStrictEqual(yield* listing(dir), [])
    }))
})

describe("files.withLock: the wall clock", () => {
  it.scoped("a live holder's claim that merely looks old (the wall clock jumped) is not broken before it was watched unchanged past a heartbeat", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      const claim = path.join(dir, `.config.json.lock.${HOST}.${process.pid}.8899aabbccddeeff`)
      yield* write(claim, "")
      // 31 s old by its mtime, with staleAfter 30 s: what a waiter sees after its clock jumps.
      yield* setTimes(claim, -31_000)
      const { exit, steps } = yield* driven(files.withLock(file, Effect.succeed("ran"), { timeout: "20 seconds", staleAfter: "30 seconds" }))
      assert.strictEqual(exit._tag, "Success")
      // Broken only after WATCH_MILLIS (7 s) of 100 ms steps: a live holder's heartbeat (every
      // 5 s) would have refreshed it by then.
      assert.isAtLeast(steps, files.WATCH_MILLIS / 100)
      assert.isBelow(steps, files.WATCH_MILLIS / 100 + 10)
    }))

  it("a claim's host part names the pid namespace too: a pid is judged only where it means the same process", () => {
    assert.match(files.HOST, new RegExp(`-${statSync("/proc/self/ns/pid").ino.toString(36)}$`))
  })
})

describe("a config file that is not a regular file", () => {
  it.live("a FIFO is refused at once, not waited on for a writer", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      assert.strictEqual(spawnSync("mkfifo", ["-m", "600", file]).status, 0)
      const error = yield* Effect.flip(files.readText(file).pipe(Effect.timeout("5 seconds")))
      assert.strictEqual(error._tag, "ConfigFileError")
      assert.include(error.message, "not a regular file")
    }).pipe(Effect.scoped))
})

describe("crash residue", () => {
  it.scoped("the next write removes dead writers' temp files and claims, never a live writer's", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const store = yield* fileStore(dir)
      yield* store.modify(addProfile("one"))
      const pid = deadPid()
      const dead = [
        `.config.json.${pid}.0123456789ab.tmp`,
        `.secrets.json.${pid}.0a1b2c3d4e5f.tmp`,
        `.config.json.lock.${HOST}.${pid}.0011223344556677`,
        `.session-abc.lock.${HOST}.${pid}.0011223344556677`
      ]
      for (const name of dead) yield* write(path.join(dir, name), name.includes("secrets") ? "lk_plaintext_key" : "")
      // A writer still running (this process), mid-write of another file: left alone.
      const live = `.secrets.json.${process.pid}.abcdef012345.tmp`
      yield* write(path.join(dir, live), "")
      // Files that only look alike are a user's, not residue (an .env's directory is theirs).
      const users = [`.notes.${pid}.draft.tmp`, `.config.json.${pid}.k3j4h5.tmp`]
      for (const name of users) yield* write(path.join(dir, name), "mine")
      yield* store.modify(addProfile("two"))
      assert.deepStrictEqual(yield* listing(dir), [live, "config.json", ...users].sort())
    }))

  it.scoped("a temp file of the file being written, older than the bound, goes even if its pid runs", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const store = yield* fileStore(dir)
      const old = path.join(dir, `.config.json.${process.pid}.aaaaaaaaaaaa.tmp`)
      yield* write(old, "")
      yield* setTimes(old, -files.TEMP_MAX_AGE_MILLIS - 60_000)
      yield* store.modify(addProfile("one"))
      assert.deepStrictEqual(yield* listing(dir), ["config.json"])
    }))
})

describe("another local user", () => {
  const ref = { id: "abc", kind: "api-key" } as const

  it.scoped("a config dir writable by others is refused with one line naming it and the fix; nothing is written", () =>
    Effect.gen(function*() {
      const root = yield* TempDir.make
      const dir = path.join(root, "cfg")
      yield* Effect.promise(() => fs.mkdir(dir))
      yield* Effect.promise(() => fs.chmod(dir, 0o777))
      const store = yield* fileStore(dir)
      for (const effect of [store.read, store.modify(addProfile("x"))]) {
        const error = yield* Effect.flip(effect as Effect.Effect<unknown, { readonly message: string }>)
        assert.include(error.message, `cannot`)
        assert.include(error.message, `${dir}: it is writable by other users (mode 0777); run chmod 700 ${dir}`)
        assert.notInclude(error.message, "\n")
      }
      assert.deepStrictEqual(yield* listing(dir), [])
    }))

  it.scoped("a config.json writable by others, or owned by another user, is refused and left as it is", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "config.json")
      const store = yield* fileStore(dir)
      yield* store.modify(addProfile("mine"))
      const before = yield* Effect.promise(() => fs.readFile(file, "utf8"))
      yield* Effect.promise(() => fs.chmod(file, 0o666))
      let error = yield* Effect.flip(store.modify(addProfile("x")))
      assert.strictEqual(error._tag, "ConfigFileError")
      assert.include(error.message, `cannot use ${file}: it is writable by other users (mode 0666); run chmod 600 ${file}`)
      yield* Effect.promise(() => fs.chmod(file, 0o600))
      yield* Effect.promise(() => fs.chown(file, 65534, 65534))
      error = yield* Effect.flip(store.modify(addProfile("x")))
      assert.include(error.message, `cannot use ${file}: it is owned by another user (uid 65534`)
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(file, "utf8")), before)
      // A config readable by others holds no secret: it is used (and rewritten 0600).
      yield* Effect.promise(() => fs.chown(file, process.getuid!(), process.getgid!()))
      yield* Effect.promise(() => fs.chmod(file, 0o644))
      yield* store.modify(addProfile("x"))
      assert.strictEqual((yield* Effect.promise(() => fs.stat(file))).mode & 0o777, 0o600)
    }))

  it.scoped("a config dir owned by another user is refused", () =>
    Effect.gen(function*() {
      const root = yield* TempDir.make
      const dir = path.join(root, "cfg")
      yield* Effect.promise(() => fs.mkdir(dir, { mode: 0o700 }))
      yield* Effect.promise(() => fs.chown(dir, 65534, 65534))
      const store = yield* fileStore(dir)
      const error = yield* Effect.flip(store.modify(addProfile("x")))
      assert.include(error.message, `${dir}: it is owned by another user (uid 65534`)
      assert.deepStrictEqual(yield* listing(dir), [])
    }))

  it.scoped("a secrets.json readable by others is not used: one line with the fix, and it is left as it is", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const file = path.join(dir, "secrets.json")
      const backend = makeFileBackend(dir)
      yield* backend.set(ref, Redacted.make("lk_secret_value"))
      const before = yield* Effect.promise(() => fs.readFile(file, "utf8"))
      for (const mode of [0o644, 0o640, 0o604]) {
        yield* Effect.promise(() => fs.chmod(file, mode))
        for (const effect of [backend.get(ref), backend.set({ id: "new", kind: "api-key" }, Redacted.make("lk_other"))]) {
          const error = yield* Effect.flip(effect as Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>)
          assert.strictEqual(error._tag, "SecretStoreError")
          assert.include(error.message, `${file}): it is readable by other users (mode 0${mode.toString(8)}); run chmod 600 ${file}`)
          assert.notInclude(error.message, "lk_secret_value")
          assert.notInclude(error.message, "\n")
        }
      }
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(file, "utf8")), before)
      yield* Effect.promise(() => fs.chmod(file, 0o600))
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* backend.get(ref))), "lk_secret_value")
    }))
})

describe("size cap on read", () => {
  it.scoped(`a config.json or secrets.json over ${files.MAX_FILE_BYTES / 1024 / 1024} MiB is one line and left as it is`, () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const store = yield* fileStore(dir)
      yield* store.modify(addProfile("big"))
      const file = path.join(dir, "config.json")
      // Valid content, only too large: what a hostile server's 50 MB email would have made.
      const config = JSON.parse(yield* Effect.promise(() => fs.readFile(file, "utf8")))
      config.profiles.big.user = { id: "u", email: "x".repeat(files.MAX_FILE_BYTES) + "@example.com" }
      const huge = JSON.stringify(config)
      yield* write(file, huge)
      const error = yield* Effect.flip(store.modify(addProfile("x")))
      assert.strictEqual(error._tag, "ConfigFileError")
      assert.include(error.message, `cannot use ${file}: it is larger than 4 MiB (${huge.length} bytes)`)
      assert.notInclude(error.message, "\n")
      assert.strictEqual((yield* Effect.promise(() => fs.stat(file))).size, huge.length)

      const secrets = path.join(dir, "secrets.json")
      yield* write(secrets, JSON.stringify({ version: 1, secrets: { "a/api-key": "k".repeat(files.MAX_FILE_BYTES) } }))
      const secretError = yield* Effect.flip(makeFileBackend(dir).get({ id: "a", kind: "api-key" }))
      assert.strictEqual(secretError._tag, "SecretStoreError")
      assert.include(secretError.message, "it is larger than 4 MiB")
      assert.notInclude(secretError.message, "kkkk")
      // Exactly at the cap is still read.
      const atCap = JSON.stringify({ version: 1, secrets: { "a/api-key": "" } })
      yield* write(secrets, atCap.slice(0, -1) + " ".repeat(files.MAX_FILE_BYTES - atCap.length) + "}")
      assert.isTrue(Option.isSome(yield* makeFileBackend(dir).get({ id: "a", kind: "api-key" })))
    }))
})
