/**
 * File primitives shared by the file-backed stores: reads that tell "missing" from "broken",
 * atomic writes (temp file, fsync, rename) with fixed modes whatever the umask, and a
 * cross-process lock so read-modify-write cycles of concurrent processes never lose a change.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { ConfigFileError, ConfigWriteError, LockTimeout } from "../Errors.js"

export const DIR_MODE = 0o700
export const FILE_MODE = 0o600

const errnoCode = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined

const describe = (e: unknown): string => {
  const code = errnoCode(e)
  if (code === "EACCES" || code === "EPERM") return "permission denied"
  if (code === "EISDIR") return "is a directory"
  if (code === "ENOSPC") return "no space left on device"
  return e instanceof Error ? e.message : String(e)
}

/** The file's text, `None` when it does not exist; any other failure is a `ConfigFileError`. */
export const readText = (file: string): Effect.Effect<Option.Option<string>, ConfigFileError> =>
  Effect.tryPromise({
    try: () => fs.readFile(file, "utf8"),
    catch: (e) => e
  }).pipe(
    Effect.map(Option.some),
    Effect.catchAll((e) =>
      errnoCode(e) === "ENOENT"
        ? Effect.succeed(Option.none<string>())
        : Effect.fail(new ConfigFileError({ path: file, reason: describe(e) }))
    )
  )

/** Create the directory (and parents) if needed; a directory we create is made 0700. */
export const ensureDir = (dir: string): Effect.Effect<void, ConfigWriteError> =>
  Effect.tryPromise({
    try: async () => {
      const created = await fs.mkdir(dir, { recursive: true, mode: DIR_MODE })
      // mkdir's mode is filtered by the umask; set it explicitly so 0700 holds under `umask 000`.
      if (created !== undefined) await fs.chmod(dir, DIR_MODE)
    },
    catch: (e) => new ConfigWriteError({ path: dir, reason: describe(e) })
  })

/**
 * Replace `file` with `text` atomically: readers see the old or the new content, never a torn
 * one. The temp file is created 0600 (and chmod-ed, since `open`'s mode obeys the umask),
 * flushed with fsync, then renamed over the target; the directory is fsync-ed so the rename
 * survives a crash.
 */
export const writeAtomic = (file: string, text: string): Effect.Effect<void, ConfigWriteError> => {
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`)
  return Effect.tryPromise({
    try: async () => {
      const handle = await fs.open(tmp, "wx", FILE_MODE)
      try {
        await handle.chmod(FILE_MODE)
        await handle.writeFile(text, "utf8")
        await handle.sync()
      } finally {
        await handle.close()
      }
      await fs.rename(tmp, file)
      const dirHandle = await fs.open(dir, "r").catch(() => undefined)
      if (dirHandle) {
        await dirHandle.sync().catch(() => undefined)
        await dirHandle.close()
      }
    },
    catch: (e) => new ConfigWriteError({ path: file, reason: describe(e) })
  }).pipe(
    Effect.tapError(() => Effect.promise(() => fs.rm(tmp, { force: true }).catch(() => undefined)))
  )
}

export interface LockOptions {
  /** Give up after this long. */
  readonly timeout: Duration.DurationInput
  /** A lock whose holder is not running, or older than this, is broken. */
  readonly staleAfter: Duration.DurationInput
}

const defaultLockOptions: LockOptions = { timeout: "10 seconds", staleAfter: "30 seconds" }

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return errnoCode(e) === "EPERM"
  }
}

type Attempt = "acquired" | "busy" | "retry"

/** One attempt. A stale lock is broken and reported as "retry", to be tried again at once. */
const tryAcquire = (lockFile: string, staleAfterMillis: number): Promise<Attempt> =>
  fs.open(lockFile, "wx", FILE_MODE).then(
    async (handle) => {
      await handle.writeFile(JSON.stringify({ pid: process.pid, at: Date.now() }))
      await handle.close()
      return "acquired" as const
    },
    async (e) => {
      if (errnoCode(e) !== "EEXIST") throw e
      const [text, stat] = await Promise.all([
        fs.readFile(lockFile, "utf8").catch(() => ""),
        fs.stat(lockFile).catch(() => undefined)
      ])
      if (stat === undefined) return "retry" // released meanwhile
      let holder: number | undefined
      try {
        holder = JSON.parse(text).pid
      } catch {
        holder = undefined // being written right now, or garbage; age decides
      }
      const age = Date.now() - stat.mtimeMs
      const dead = typeof holder === "number" && !isAlive(holder)
      if (dead || age > staleAfterMillis) {
        await fs.rm(lockFile, { force: true })
        return "retry"
      }
      return "busy"
    }
  )

/**
 * Run `use` while holding an exclusive lock on `${file}.lock`, across processes. The lock is a
 * file created with O_EXCL holding the owner's pid; it is released when `use` ends, however it
 * ends. The file's directory is created (0700) first. Waiting is a Clock-driven loop, so it also
 * works under TestClock.
 */
export const withLock = <A, E, R>(
  file: string,
  use: Effect.Effect<A, E, R>,
  options: LockOptions = defaultLockOptions
): Effect.Effect<A, E | LockTimeout | ConfigWriteError, R> => {
  const lockFile = `${file}.lock`
  const timeoutMillis = Duration.toMillis(options.timeout)
  const staleMillis = Duration.toMillis(options.staleAfter)
  const attempt = Effect.tryPromise({
    try: () => tryAcquire(lockFile, staleMillis),
    catch: (e) => new ConfigWriteError({ path: lockFile, reason: describe(e) })
  })
  const acquire = Effect.gen(function*() {
    let delay = 5
    let waited = 0
    let outcome: Attempt
    while ((outcome = yield* attempt) !== "acquired") {
      if (outcome === "retry") continue
      if (waited >= timeoutMillis) return yield* new LockTimeout({ path: lockFile, waitedMillis: waited })
      // Jitter keeps twenty waiting processes from retrying in lock-step.
      const sleep = Math.round(delay * (0.5 + Math.random()))
      yield* Effect.sleep(Duration.millis(sleep))
      waited += sleep
      delay = Math.min(delay * 2, 100)
    }
  })
  const release = Effect.promise(() => fs.rm(lockFile, { force: true }).catch(() => undefined))
  return ensureDir(path.dirname(file)).pipe(
    Effect.zipRight(Effect.acquireUseRelease(acquire, () => use, () => release))
  )
}
