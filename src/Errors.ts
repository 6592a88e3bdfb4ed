/**
 * Expected failures, as values. Each carries what a user needs to act on it and a one-line
 * `message` that names no command of any CLI; what the user can do next is a `Hint`, which the
 * CLI layer words with its own verbs (latchkey's `src/cli/Messages.ts`). `exitCode` is the
 * single place that maps an error to the process exit status.
 */
import * as Data from "effect/Data"

/** Exit statuses, as documented in the README. */
export const ExitCode = {
  Ok: 0,
  Error: 1,
  Usage: 2,
  NotAuthenticated: 4,
  Cancelled: 130
} as const

/** The config or secrets file exists but cannot be read, parsed or decoded. Never overwritten. */
export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `cannot use ${this.path}: ${this.reason} (the file was left as it is)`
  }
}

/** Writing the config or secrets file failed (disk full, permissions, …). */
export class ConfigWriteError extends Data.TaggedError("ConfigWriteError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `cannot write ${this.path}: ${this.reason}`
  }
}

/** Another process held the config lock for too long. */
export class LockTimeout extends Data.TaggedError("LockTimeout")<{
  readonly path: string
  readonly waitedMillis: number
}> {
  override get message() {
    return `timed out after ${Math.round(this.waitedMillis / 1000)}s waiting for the lock ${this.path}; if no other process is running, remove it`
  }
}

/**
 * What the user can do next, as data: the CLI layer renders it with its own verb and flag names
 * (latchkey's `src/cli/Messages.ts`), so library code never names a command.
 */
export type Hint = Data.TaggedEnum<{
  /** Log in (as `profile`, when given), or create an API-key profile. */
  Login: { readonly profile?: string }
  /** No profile is current, but these of the current environment could be made current. */
  MakeCurrent: { readonly others: ReadonlyArray<string> }
  /** The login did not finish: start it again. */
  LoginAgain: {}
  /** The command that lists these shows the valid names. */
  List: { readonly of: "profiles" | "environments" | "projects" | "teams" }
  /** The environment at `apiUrl` needs an issuer and client id added by hand. */
  AddIssuer: { readonly apiUrl: string }
  /** Name the profile explicitly. */
  NameProfile: {}
  /** The name is taken: choose another profile name. */
  OtherProfileName: {}
  /** Plain http to another host: the environment may be added with the opt-in that allows it. */
  AllowHttp: {}
  /** Only API keys can be injected: create an API-key profile and inject that one. */
  InjectApiKeysOnly: {}
  /** The API-key login cannot prompt: pass these values instead. */
  PassValues: { readonly values: ReadonlyArray<"apiKey" | "project"> }
}>

export const Hint = Data.taggedEnum<Hint>()

/** No credential could be resolved. `hint` says how to get one (`Login` or `MakeCurrent`). */
export class NotAuthenticated extends Data.TaggedError("NotAuthenticated")<{
  readonly reason: string
  readonly hint: Hint
}> {
  override get message() {
    return this.reason
  }
}

/** The platform answered 401 or 403 to a credential. */
export class CredentialRejected extends Data.TaggedError("CredentialRejected")<{
  readonly apiUrl: string
  readonly status: number
  readonly detail: string
}> {
  override get message() {
    return `${this.apiUrl} rejected the credential (HTTP ${this.status}${this.detail ? `: ${this.detail}` : ""})`
  }
}

/** The platform could not be reached, answered with an unexpected status, or sent something undecodable. */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly url: string
  readonly reason: string
}> {
  override get message() {
    return `request to ${this.url} failed: ${this.reason}`
  }
}

/** The user asked for something that does not exist or cannot be done (unknown profile, bad key prefix, …). */
export class InvalidInput extends Data.TaggedError("InvalidInput")<{
  readonly reason: string
  readonly hint?: Hint
}> {
  override get message() {
    return this.reason
  }
}

/** A required argument is missing where the CLI may not prompt, or flags conflict. */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly reason: string
  readonly hint?: Hint
}> {
  override get message() {
    return this.reason
  }
}

/** The user cancelled a prompt (Ctrl-C / Esc). */
export class Cancelled extends Data.TaggedError("Cancelled")<{}> {
  override get message() {
    return "cancelled"
  }
}

/** Reading or writing a secret failed. */
export class SecretStoreError extends Data.TaggedError("SecretStoreError")<{
  readonly store: string
  readonly reason: string
}> {
  override get message() {
    return `secret store (${this.store}): ${this.reason}`
  }
}

export type LatchkeyError =
  | ConfigFileError
  | ConfigWriteError
  | LockTimeout
  | NotAuthenticated
  | CredentialRejected
  | ApiError
  | InvalidInput
  | UsageError
  | Cancelled
  | SecretStoreError
  | LoginFailed
  | SessionExpired

export const exitCode = (error: LatchkeyError): number => {
  switch (error._tag) {
    case "NotAuthenticated":
    case "CredentialRejected":
    case "SessionExpired":
      return ExitCode.NotAuthenticated
    case "UsageError":
      return ExitCode.Usage
    case "Cancelled":
      return ExitCode.Cancelled
    default:
      return ExitCode.Error
  }
}

/** End the command with `code` after it has already told the user why (e.g. `auth status` when not logged in). */
export class SilentExit extends Data.TaggedError("SilentExit")<{ readonly code: number }> {}

/** The device-flow login did not produce a session (denied, expired, or a protocol failure). */
export class LoginFailed extends Data.TaggedError("LoginFailed")<{ readonly reason: string; readonly hint?: Hint }> {
  override get message() {
    return this.reason
  }
}

/** The session's refresh token was refused (expired, revoked, or reused): only a new login as `profile` helps. */
export class SessionExpired extends Data.TaggedError("SessionExpired")<{ readonly profile: string }> {
  override get message() {
    return `the session of profile ${this.profile} expired`
  }
}
