/**
 * `auth inject`: write the credential in use — its API key, API URL and project — into a `.env`
 * file under the brand's variable names (`LATCHKEY_API_KEY`, `LATCHKEY_API_URL`,
 * `LATCHKEY_PROJECT_ID`), so that tools reading the file find them.
 *
 * Only those variables' lines change; every other byte stays (see `internal/dotenv.ts`). A new
 * file is created 0600; the write is atomic and holds the file's lock. A file that cannot be read
 * or parsed, a symbolic link to a file of another user, or anything but a regular file is left
 * alone. A login session is refused: its access token expires within the hour, and a `.env`
 * outlives it; only API keys are written.
 *
 * @example
 * const result = yield* Inject.inject(Credentials.noFlags, "/home/me/app/.env")
 * // result.variables: [{ name: "LATCHKEY_API_KEY", action: "replaced" }, …]; the key itself is never returned
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Brand } from "./Brand.js"
import { ConfigStore } from "./ConfigStore.js"
import * as Credentials from "./Credentials.js"
import { Hint, ConfigFileError, ConfigWriteError, InvalidInput } from "./Errors.js"
import * as Dotenv from "./internal/dotenv.js"
import * as files from "./internal/files.js"
import * as Settings from "./Settings.js"

export interface InjectResult {
  /** The file written (the target, when the path was a symbolic link). */
  readonly file: string
  readonly created: boolean
  /** `false` when the file already held exactly these values. */
  readonly changed: boolean
  readonly profile: string | null
  /** Which input supplied the credential (as in `auth status`). */
  readonly source: string
  readonly apiUrl: string
  readonly project: string | null
  readonly variables: ReadonlyArray<{ readonly name: string; readonly action: "replaced" | "added" }>
}

/** A `.env` is small; anything bigger is not one. */
const MAX_BYTES = 1024 * 1024

const { describe: reasonOf, errnoCode } = files

const myUid = (): number | undefined => (typeof process.getuid === "function" ? process.getuid() : undefined)

/**
 * The path to write: `file` itself, or the target of a symbolic link to a regular file of this
 * user. Refuses links to another user's file or to nothing, non-regular files, another user's
 * file, and a directory that does not exist.
 */
const targetOf = (file: string): Effect.Effect<string, ConfigFileError | ConfigWriteError> =>
  Effect.tryPromise({
    try: async (): Promise<Either.Either<string, ConfigFileError | ConfigWriteError>> => {
      const refuse = (reason: string) => Either.left(new ConfigFileError({ path: file, reason }))
      const link = await fs.lstat(file).catch((e) => {
        if (errnoCode(e) === "ENOENT") return undefined
        throw e
      })
      if (link === undefined) {
        const dir = path.dirname(file)
        const stat = await fs.stat(dir).catch(() => undefined)
        if (stat === undefined || !stat.isDirectory()) {
          return Either.left(new ConfigWriteError({ path: file, reason: `no directory ${dir}` }))
        }
        return Either.right(file)
      }
      const uid = myUid()
      if (link.isSymbolicLink()) {
        const target = await fs.stat(file).catch(() => undefined)
        if (target === undefined) return refuse("a symbolic link to a file that does not exist")
        if (uid !== undefined && target.uid !== uid) return refuse("a symbolic link to a file owned by another user")
        if (!target.isFile()) return refuse("a symbolic link to something other than a regular file")
        return Either.right(await fs.realpath(file))
      }
      if (!link.isFile()) return refuse("not a regular file")
      if (uid !== undefined && link.uid !== uid) return refuse("owned by another user")
      return Either.right(file)
    },
    catch: (e) => new ConfigFileError({ path: file, reason: reasonOf(e) })
  }).pipe(Effect.flatMap((x) => x))

/** The file's text, `None` if it does not exist; unreadable, oversized or non-UTF-8 is an error. */
const readExisting = (file: string): Effect.Effect<Option.Option<string>, ConfigFileError> =>
  Effect.tryPromise({
    try: async (): Promise<Uint8Array | "too large"> => {
      // No following a link planted since targetOf looked; the size is checked before reading.
      const handle = await fs.open(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0))
      try {
        if ((await handle.stat()).size > MAX_BYTES) return "too large"
        return await handle.readFile()
      } finally {
        await handle.close()
      }
    },
    catch: (e) => e
  }).pipe(
    Effect.map(Option.some),
    Effect.catchAll((e) =>
      errnoCode(e) === "ENOENT"
        ? Effect.succeed(Option.none<Uint8Array | "too large">())
        : Effect.fail(new ConfigFileError({ path: file, reason: errnoCode(e) === "ELOOP" ? "a symbolic link" : reasonOf(e) }))
    ),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed(Option.none<string>()),
      onSome: (bytes) => {
        if (bytes === "too large") return Effect.fail(new ConfigFileError({ path: file, reason: "larger than 1 MiB" }))
        try {
          // Fatal: text that is not UTF-8 could not be written back byte for byte.
          return Effect.succeed(Option.some(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes)))
        } catch {
          return Effect.fail(new ConfigFileError({ path: file, reason: "not UTF-8 text" }))
        }
      }
    }))
  )

export const inject = Effect.fn("Inject.inject")(function*(flags: Credentials.Flags, file: string) {
  const brand = yield* Brand
  const env = yield* Settings.read
  const config = yield* (yield* ConfigStore).read
  // Decided before resolving, so a session is refused without refreshing its token first.
  const decided = yield* Credentials.plan({ brand, flags, env, config })
  if (decided._tag === "FromProfile" && decided.method === "session") {
    return yield* new InvalidInput({
      reason: `profile ${decided.name} is a login session, whose access token expires within the hour`,
      hint: Hint.InjectApiKeysOnly()
    })
  }
  const resolved = yield* Credentials.resolve(flags)
  const names = Settings.variableNames(brand)
  const project = Option.getOrNull(Option.map(resolved.project, (p) => p.id))
  const candidates: ReadonlyArray<readonly [string | undefined, string]> = [
    // The one place this value leaves the secret store for a file: the user asked for it.
    [names.apiKey, Redacted.value(resolved.credential.token)],
    [names.apiUrl, resolved.credential.apiUrl],
    // An empty value reads as unset, so a project left from before cannot linger.
    [names.projectId, project ?? ""]
  ]
  // A variable the brand leaves out is one its tools do not read: it is not written.
  const values = candidates.flatMap(([name, value]) => name === undefined ? [] : [[name, value] as const])
  const target = yield* targetOf(file)
  return yield* files.withLock(
    target,
    Effect.gen(function*() {
      const before = yield* readExisting(target)
      const assigned = Dotenv.assign(Option.getOrElse(before, () => ""), values)
      if (Either.isLeft(assigned)) {
        const error = assigned.left
        return yield* error._tag === "Unparseable"
          ? new ConfigFileError({ path: target, reason: `line ${error.line}: ${error.reason}` })
          : new InvalidInput({ reason: `the value of ${error.name} cannot be written to ${target} safely` })
      }
      const changed = Option.isNone(before) || before.value !== assigned.right.text
      if (changed) yield* files.writeAtomic(target, assigned.right.text)
      return {
        file: target,
        created: Option.isNone(before),
        changed,
        profile: Option.getOrNull(Option.map(resolved.profile, (p) => p.name)),
        source: Credentials.sourceLabel(resolved.source),
        apiUrl: resolved.credential.apiUrl,
        project,
        variables: assigned.right.changes
      } satisfies InjectResult as InjectResult
    }),
    // The .env's directory is the user's project: any mode they chose, never made 0700.
    { timeout: "10 seconds", staleAfter: "30 seconds", privateDirectory: false }
  )
})
