/**
 * File primitives shared by the file-backed stores: reads that tell "missing" from "broken" and
 * refuse files another user could have written, atomic writes (temp file, fsync, rename) with
 * fixed modes whatever the umask, the clean-up of what crashed writers left behind, and a
 * cross-process lock so read-modify-write cycles of concurrent processes never lose a change.
 *
 * ## The lock
 *
 * A lock on `dir/file` is a set of *claims*: empty files named
 * `dir/.file.lock.<host>.<pid>.<nonce>`, each created with O_EXCL under a name no process ever
 * uses twice. To acquire:
 *
 *   1. list the directory; if any other claim is live, wait (claims that are not live are
 *      removed, see below);
 *   2. create our own claim;
 *   3. list the directory again; if no other claim is live, the lock is ours. Otherwise (a tie:
 *      others claimed at the same time) the claim whose name sorts first is kept and looks again
 *      shortly, the others are removed and their owners wait — so racers cannot all step back
 *      forever (without this rule, 48 racing processes livelocked until they timed out).
 *
 * Release removes our own claim, by its unique name, and nothing else.
 *
 * Why two holders are impossible: suppose A and B both passed step 3. Each created its claim
 * (2) before its deciding listing (3), and neither listing showed the other's claim. A's listing preceded the
 * creation of B's claim, which preceded B's listing, which preceded the creation of A's claim,
 * which preceded A's listing: a cycle. (Creation and listing of one directory are linearizable
 * on a local file system.) The argument assumes no live claim is judged stale; see below.
 *
 * Why breaking a stale claim cannot remove a fresh one: a claim's name is never reused (pid plus
 * 64 random bits), so removing the name we inspected removes exactly the claim we inspected —
 * there is no check-then-act window in which the name could come to mean another claim. This is
 * what `proper-lockfile` (and the previous version of this module) get wrong: both stat
 * `file.lock`, decide it is stale, then remove whatever `file.lock` is *now*, which may be a
 * lock another process created in between. `proper-lockfile` also judges staleness by mtime
 * only (a future mtime never goes stale) and sleeps on timers rather than the Clock.
 *
 * When a claim is stale (removed by whoever sees it so):
 * - its holder is a process on this host that is no longer running (`kill(pid, 0)`), at once;
 * - its mtime is older than `staleAfter` AND this process has watched it sit unchanged for longer
 *   than a heartbeat and a margin (`WATCH_MILLIS`), measured on the Clock's monotonic time. A
 *   live holder refreshes its claim's mtime every `staleAfter / 6` (a heartbeat), so a holder
 *   slower than `staleAfter` keeps its lock, and a jump of the wall clock (a resumed laptop, an
 *   NTP step) cannot make a live claim look old: its next heartbeat comes before the watch ends.
 *   A claim whose mtime lies in the future goes stale once it has been watched unchanged for
 *   `staleAfter`;
 * - a file that only looks like a claim (a name that does not parse), and the fixed-name
 *   `file.lock` of earlier versions when it is empty or garbage, after `GRACE` (2 s) of age.
 *   The earlier versions' `file.lock` with a pid counts as a claim of that pid. It is the one
 *   name removed check-then-act, which is harmless: this version never creates it.
 * The one way to get two holders is a holder stalled (SIGSTOP, a frozen VM) for longer than
 * `staleAfter` between two heartbeats — the limit of every lock that survives its holder's crash.
 * A pid is checked only by a process that shares its host and pid namespace (the claim's host
 * part names both), and the lock is for local file systems: NFS caches directory listings.
 *
 * Waiting is a Clock-driven loop (`Effect.sleep` with jitter), so it works under TestClock.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { randomBytes } from "node:crypto"
import { constants as fsConstants, statSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { ConfigFileError, ConfigWriteError, LockTimeout } from "../Errors.js"

export const DIR_MODE = 0o700
export const FILE_MODE = 0o600

/** The config and secrets files are read whole; a larger file is refused (and left as it is). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024

/** An unparsable lock file is stale after this long (a crash between its creation and its write). */
export const GRACE_MILLIS = 2_000

/** A live claim is judged stale only after being watched unchanged this long (a heartbeat and a margin). */
export const WATCH_MILLIS = 7_000

/** A temp file of a writer still running is removed only when older than this (its pid was reused). */
export const TEMP_MAX_AGE_MILLIS = 10 * 60_000

/** The `code` of a Node system error (`ENOENT`, `EACCES`, …). */
export const errnoCode = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined

/** A file-system failure in words, for one-line messages. */
export const describe = (e: unknown): string => {
  const code = errnoCode(e)
  if (code === "EACCES" || code === "EPERM") return "permission denied"
  if (code === "ENOENT") return "no such file or directory"
  if (code === "EISDIR") return "is a directory"
  if (code === "ENOSPC") return "no space left on device"
  if (code === "ENOTDIR") return "a parent is not a directory"
  return e instanceof Error ? e.message : String(e)
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0")

const myUid = (): number | undefined => (typeof process.getuid === "function" ? process.getuid() : undefined)

/**
 * Why `path` must not be used, or `undefined`: owned by another user, or writable by other users
 * (then someone else could have put there what we would read, or taken it away). With `secret`,
 * also readable by other users. The reason names the fix, as ssh does.
 */
export const unsafeReason = (
  p: string,
  stat: { readonly uid: number; readonly mode: number },
  kind: "dir" | "file" | "secret"
): string | undefined => {
  const uid = myUid()
  if (uid === undefined) return undefined // no POSIX ownership (Windows)
  if (stat.uid !== uid) {
    return `it is owned by another user (uid ${stat.uid}, not ${uid}); remove it, or check it and run chown ${uid} ${p}`
  }
  const fix = kind === "dir" ? `chmod 700 ${p}` : `chmod 600 ${p}`
  if ((stat.mode & 0o022) !== 0) return `it is writable by other users (mode ${octal(stat.mode)}); run ${fix}`
  if (kind === "secret" && (stat.mode & 0o044) !== 0) {
    return `it is readable by other users (mode ${octal(stat.mode)}); run ${fix}, and replace the credentials it holds if others could have read them`
  }
  return undefined
}

/** The directory's problem, if it exists and is unsafe; a missing directory is fine (it will be created 0700). */
const checkDir = async (dir: string): Promise<string | undefined> => {
  const stat = await fs.stat(dir).catch((e) => (errnoCode(e) === "ENOENT" ? undefined : Promise.reject(e)))
  if (stat === undefined) return undefined
  if (!stat.isDirectory()) return "it is not a directory"
  return unsafeReason(dir, stat, "dir")
}

class Refused {
  constructor(readonly path: string, readonly reason: string) {}
}

/**
 * The file's text, `None` when it does not exist; any other failure is a `ConfigFileError`.
 * Refused (and left as it is): a file or directory owned by another user or writable by other
 * users, a `secret` file readable by other users, anything but a regular file, a file larger
 * than `MAX_FILE_BYTES`.
 */
export const readText = (
  file: string,
  options: { readonly secret?: boolean } = {}
): Effect.Effect<Option.Option<string>, ConfigFileError> =>
  Effect.tryPromise({
    try: async (): Promise<Option.Option<string>> => {
      const dir = path.dirname(file)
      const dirProblem = await checkDir(dir)
      if (dirProblem !== undefined) throw new Refused(dir, dirProblem)
      // O_NONBLOCK: opening a FIFO must not wait for a writer; the descriptor is refused below.
      const handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
        .catch((e) => (errnoCode(e) === "ENOENT" ? undefined : Promise.reject(e)))
      if (handle === undefined) return Option.none()
      try {
        // Checked on the open descriptor: what we check is what we read.
        const stat = await handle.stat()
        if (!stat.isFile()) throw new Refused(file, "it is not a regular file")
        const problem = unsafeReason(file, stat, options.secret ? "secret" : "file")
        if (problem !== undefined) throw new Refused(file, problem)
        const tooLarge = (size: number) =>
          new Refused(file, `it is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB (${size} bytes), more than latchkey ever writes`)
        if (stat.size > MAX_FILE_BYTES) throw tooLarge(stat.size)
        // Read at most one byte past the cap: a file that grows meanwhile is refused too.
        const buffer = Buffer.alloc(Math.min(stat.size, MAX_FILE_BYTES) + 1)
        let length = 0
        for (;;) {
          const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
          if (bytesRead === 0) break
          length += bytesRead
          if (length === buffer.length) {
            if (length > MAX_FILE_BYTES) throw tooLarge(length)
            break // the file grew, but stays within the cap: read the rest on the next call
          }
        }
        return Option.some(buffer.subarray(0, length).toString("utf8"))
      } finally {
        await handle.close()
      }
    },
    catch: (e) =>
      e instanceof Refused
        ? new ConfigFileError({ path: e.path, reason: e.reason })
        : new ConfigFileError({ path: file, reason: describe(e) })
  })

/**
 * Create the directory (and parents) if needed; a directory we create is made 0700. An existing
 * directory owned by another user or writable by others is refused.
 */
export const ensureDir = (dir: string): Effect.Effect<void, ConfigWriteError> =>
  Effect.tryPromise({
    try: async () => {
      const created = await fs.mkdir(dir, { recursive: true, mode: DIR_MODE })
      // mkdir's mode is filtered by the umask; set it explicitly so 0700 holds under `umask 000`.
      if (created !== undefined) await fs.chmod(dir, DIR_MODE)
      const problem = await checkDir(dir)
      if (problem !== undefined) throw new Refused(dir, problem)
    },
    catch: (e) =>
      e instanceof Refused
        ? new ConfigWriteError({ path: e.path, reason: e.reason })
        : new ConfigWriteError({ path: dir, reason: describe(e) })
  })

const isAlive = (pid: number): boolean => {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return errnoCode(e) === "EPERM"
  }
}

/**
 * This host and pid namespace, as they appear in claim names: a pid is only checked where it
 * means the same process (a container with the host's name has its own pids).
 */
export const HOST = (() => {
  const name = os.hostname().replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 48) || "host"
  try {
    return `${name}-${statSync("/proc/self/ns/pid").ino.toString(36)}`
  } catch {
    return name // no /proc: one pid namespace per host
  }
})()

const CLAIM = /^\.(.+)\.lock\.([A-Za-z0-9_-]{1,64})\.(\d{1,10})\.([0-9a-f]{16})$/
const TEMP = /^\.(.+)\.(\d{1,10})\.([0-9a-f]{12})\.tmp$/

/**
 * Remove what crashed writers left in `file`'s directory: temp files and lock claims of processes
 * that are gone, and temp files of `file` older than `TEMP_MAX_AGE_MILLIS`. Called holding
 * `file`'s lock, so no live writer of `file` has a temp file in flight; a live process's claim or
 * younger temp file is never touched.
 */
export const removeResidue = async (file: string): Promise<void> => {
  const dir = path.dirname(file)
  const base = path.basename(file)
  const names = await fs.readdir(dir).catch(() => [] as Array<string>)
  await Promise.all(names.map(async (name) => {
    const claim = CLAIM.exec(name)
    const temp = claim ? null : TEMP.exec(name)
    let remove = false
    if (claim) remove = claim[2] === HOST && !isAlive(Number(claim[3]))
    else if (temp) {
      // Only names `writeAtomic` gives (a 12-hex-digit nonce), never a user's
      // `.notes.2024.draft.tmp` beside a `.env`.
      remove = !isAlive(Number(temp[2]))
      if (!remove && temp[1] === base) {
        const stat = await fs.lstat(path.join(dir, name)).catch(() => undefined)
        remove = stat !== undefined && Date.now() - stat.mtimeMs > TEMP_MAX_AGE_MILLIS
      }
    }
    if (remove) await fs.unlink(path.join(dir, name)).catch(() => undefined)
  }))
}

/**
 * Replace `file` with `text` atomically: readers see the old or the new content, never a torn
 * one. The temp file is created 0600 (and chmod-ed, since `open`'s mode obeys the umask),
 * flushed with fsync, then renamed over the target; the directory is fsync-ed so the rename
 * survives a crash. Call it holding `file`'s lock: it first removes crashed writers' residue.
 */
export const writeAtomic = (file: string, text: string): Effect.Effect<void, ConfigWriteError> => {
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`)
  return Effect.tryPromise({
    try: async () => {
      await removeResidue(file)
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
  /** Give up after waiting this long while the lock has not changed hands. */
  readonly timeout: Duration.DurationInput
  /** A claim whose holder is not running, or that has not been refreshed for this long, is broken. */
  readonly staleAfter: Duration.DurationInput
  /**
   * The directory is latchkey's own (the default): created 0700, refused when another user owns
   * it or others can write to it. `false` for a directory of the user's (a project's `.env`):
   * it must exist, and its modes are the user's business.
   */
  readonly privateDirectory?: boolean
}

const defaultLockOptions: LockOptions = { timeout: "10 seconds", staleAfter: "30 seconds" }

interface Seen {
  readonly mtimeMs: number
  readonly since: number
}

/** What one look at the directory found: other claims that are live (stale ones were removed). */
const inspect = async (
  dir: string,
  base: string,
  mine: string | undefined,
  seen: Map<string, Seen>,
  clockNow: number,
  staleMillis: number
): Promise<Array<string>> => {
  const prefix = `.${base}.lock.`
  const legacy = `${base}.lock`
  const names = (await fs.readdir(dir)).filter((n) => n !== mine && (n.startsWith(prefix) || n === legacy))
  const live: Array<string> = []
  await Promise.all(names.map(async (name) => {
    const full = path.join(dir, name)
    const stat = await fs.lstat(full).catch((e) => (errnoCode(e) === "ENOENT" ? undefined : Promise.reject(e)))
    if (stat === undefined || !stat.isFile()) return // released meanwhile, or not ours to judge
    // How old its mtime says it is, and how long we have watched it unchanged (monotonic time: a
    // jump of the wall clock moves the first, never the second; a heartbeat resets the second).
    const key = `${name}\0${stat.mtimeMs}`
    const first = seen.get(key) ?? { mtimeMs: stat.mtimeMs, since: clockNow }
    seen.set(key, first)
    const mtimeAge = Date.now() - stat.mtimeMs
    const watched = clockNow - first.since
    let pid: number | undefined
    let checkPid = true
    if (name === legacy) {
      // An earlier version's lock: `{"pid": …}`, or empty/garbage after a crash.
      const text = stat.size <= 1024 ? await fs.readFile(full, "utf8").catch(() => "") : ""
      try {
        const parsed: unknown = JSON.parse(text)
        const value = typeof parsed === "object" && parsed !== null ? (parsed as { pid?: unknown }).pid : undefined
        pid = typeof value === "number" ? value : undefined
      } catch {
        pid = undefined
      }
    } else {
      const claim = CLAIM.exec(name)
      if (claim && claim[1] === base) {
        pid = Number(claim[3])
        checkPid = claim[2] === HOST
      }
    }
    const stale = pid === undefined
      ? Math.max(mtimeAge, watched) > GRACE_MILLIS
      : (checkPid && !isAlive(pid)) ||
        (mtimeAge < 0 ? watched > staleMillis : mtimeAge > staleMillis && watched > Math.min(WATCH_MILLIS, staleMillis))
    if (stale) {
      await fs.unlink(full).catch(() => undefined)
      seen.delete(key)
    } else {
      live.push(full)
    }
  }))
  return live.sort()
}

type Attempt =
  | { readonly _tag: "acquired"; readonly claim: string }
  | { readonly _tag: "busy"; readonly holder: string }
  | { readonly _tag: "contending"; readonly claim: string; readonly holder: string }

/**
 * One step. Without a claim: look (1), claim (2), look again (3). With a claim kept from a tie:
 * look again. A tie (other live claims after ours was created) keeps only the claim whose name
 * sorts first; the others step back, so racers cannot all step back forever. Which claim stays
 * does not matter for safety: a claim is the lock only once a look *after its creation* showed
 * no other live claim.
 */
const attempt = async (
  file: string,
  held: string | undefined,
  seen: Map<string, Seen>,
  clockNow: number,
  staleMillis: number
): Promise<Attempt> => {
  const dir = path.dirname(file)
  const base = path.basename(file)
  let claim = held
  if (claim !== undefined) {
    // A kept claim stays fresh while it waits; if someone removed it as stale, start over. A
    // claim we cannot refresh is removed, not left for others to wait on.
    const kept = held!
    const now = new Date()
    const stillThere = await fs.utimes(kept, now, now).then(
      () => true,
      async (e) => {
        if (errnoCode(e) === "ENOENT") return false
        await fs.unlink(kept).catch(() => undefined)
        throw e
      }
    )
    if (!stillThere) claim = undefined
  }
  if (claim === undefined) {
    const before = await inspect(dir, base, undefined, seen, clockNow, staleMillis)
    if (before.length > 0) return { _tag: "busy", holder: before[0]! }
    const created = path.join(dir, `.${base}.lock.${HOST}.${process.pid}.${randomBytes(8).toString("hex")}`)
    const handle = await fs.open(created, "wx", FILE_MODE)
    await handle.close().catch(async (e) => {
      await fs.unlink(created).catch(() => undefined)
      throw e
    })
    claim = created
  }
  const mine = claim
  const after = await inspect(dir, base, path.basename(mine), seen, clockNow, staleMillis).catch(async (e) => {
    await fs.unlink(mine).catch(() => undefined)
    throw e
  })
  if (after.length === 0) return { _tag: "acquired", claim: mine }
  if (mine < after[0]!) return { _tag: "contending", claim: mine, holder: after[0]! }
  await fs.unlink(mine).catch(() => undefined)
  return { _tag: "busy", holder: after[0]! }
}

/**
 * Run `use` while holding an exclusive lock on `file`, across processes (see the module comment).
 * The lock is released when `use` ends, however it ends. The file's directory is created (0700)
 * first, and refused if another user owns it or could write to it.
 */
export const withLock = <A, E, R>(
  file: string,
  use: Effect.Effect<A, E, R>,
  options: LockOptions = defaultLockOptions
): Effect.Effect<A, E | LockTimeout | ConfigWriteError, R> => {
  const lockName = `${file}.lock`
  const timeoutMillis = Duration.toMillis(options.timeout)
  const staleMillis = Duration.toMillis(options.staleAfter)
  const acquire = Effect.gen(function*() {
    const seen = new Map<string, Seen>()
    let delay = 5
    let waited = 0
    let held: string | undefined
    let waitingOn: string | undefined
    for (;;) {
      // Monotonic time (the live Clock's nanos come from a monotonic source; TestClock's from the test).
      const now = Number((yield* Clock.currentTimeNanos) / 1_000_000n)
      const outcome = yield* Effect.tryPromise({
        try: () => attempt(file, held, seen, now, staleMillis),
        catch: (e) => new ConfigWriteError({ path: lockName, reason: describe(e) })
      })
      if (outcome._tag === "acquired") return outcome.claim
      held = outcome._tag === "contending" ? outcome.claim : undefined
      // The timeout is for waiting without progress: when the lock changes hands (a holder
      // finished, or a stale claim was broken), the wait starts over. Forty-eight writers in a
      // row each get their turn; one holder that never lets go still ends the wait.
      if (outcome.holder !== waitingOn) {
        waitingOn = outcome.holder
        waited = 0
      }
      if (waited >= timeoutMillis) {
        if (held !== undefined) yield* Effect.promise(() => fs.unlink(held!).catch(() => undefined))
        return yield* new LockTimeout({ path: outcome.holder, waitedMillis: waited })
      }
      // Back off with jitter, so that many waiting processes do not retry in lock-step. A kept
      // claim backs off too: the claim it lost to may be a holder's, held for long.
      const sleep = Math.round(delay * (0.5 + Math.random()))
      if (held === undefined) {
        // Acquiring is uninterruptible but for these sleeps, where no claim of ours exists: an
        // interruption (Ctrl-C) never leaves a claim behind.
        yield* Effect.interruptible(Effect.sleep(Duration.millis(sleep)))
      } else {
        yield* Effect.sleep(Duration.millis(sleep))
      }
      waited += sleep
      delay = Math.min(delay * 2, 100)
    }
  })
  // The heartbeat: a holder slower than `staleAfter` keeps its claim fresh. (Forked from the
  // uninterruptible acquire, so it is made interruptible explicitly, or release would hang.)
  const heartbeat = (claim: string) =>
    Effect.forever(
      Effect.sleep(Duration.millis(Math.max(1, Math.floor(staleMillis / 6)))).pipe(
        Effect.zipRight(Effect.promise(() => {
          const now = new Date()
          return fs.utimes(claim, now, now).catch(() => undefined)
        }))
      )
    )
  const directory = options.privateDirectory === false
    ? Effect.tryPromise({
      try: () => fs.stat(path.dirname(file)).then((s) => s.isDirectory() ? undefined : Promise.reject(new Error("not a directory"))),
      catch: (e) => new ConfigWriteError({ path: path.dirname(file), reason: describe(e) })
    })
    : ensureDir(path.dirname(file))
  return directory.pipe(
    Effect.zipRight(Effect.acquireUseRelease(
      acquire.pipe(
        Effect.flatMap((claim) => Effect.map(Effect.forkDaemon(Effect.interruptible(heartbeat(claim))), (beat) => ({ claim, beat })))
      ),
      () => use,
      ({ beat, claim }) =>
        Fiber.interrupt(beat).pipe(
          // Only our own claim, by its unique name.
          Effect.zipRight(Effect.promise(() => fs.unlink(claim).catch(() => undefined)))
        )
    ))
  )
}
