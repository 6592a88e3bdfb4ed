/**
 * The one rule for the names of profiles and environments (README, "Names"): 1 to 128
 * characters, starting with a letter or digit, then letters, digits and `.` `_` `-` `@` `+`.
 * An email address, as a browser login names its profile, fits; a path (`../x`), white space,
 * control characters and `__proto__` do not.
 *
 * ```ts
 * yield* Names.check("profile", "alice@example.com")   // succeeds with the name
 * yield* Names.check("profile", "../x")                // fails: UsageError naming the rule
 * ```
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { UsageError } from "./Errors.js"
import { has } from "./internal/records.js"

export const MAX_LENGTH = 128

const PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/

export type Kind = "profile" | "environment"

/** The rule, in words, for messages and documentation. */
export const RULE =
  `1 to ${MAX_LENGTH} characters: letters, digits, ".", "_", "-", "@" and "+", starting with a letter or digit`

export const isValid = (name: string): boolean => name.length <= MAX_LENGTH && PATTERN.test(name)

/** Show a name in a message without letting it carry escape sequences or run on for pages. */
const quote = (name: string): string => {
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)
  return shown.replace(/[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
}

/** The usage error for a name that breaks the rule; `from` names where it came from (`LATCHKEY_PROFILE`). */
export const invalid = (kind: Kind, name: string, from?: string): UsageError =>
  new UsageError({
    reason: `invalid ${kind} name ${quote(name)}${from === undefined ? "" : ` in ${from}`}: ${kind} names are ${RULE}`
  })

/** Right with `name` when it follows the rule; otherwise Left with the usage error. For pure code. */
export const validate = (kind: Kind, name: string, from?: string): Either.Either<string, UsageError> =>
  isValid(name) ? Either.right(name) : Either.left(invalid(kind, name, from))

/** Succeed with `name` when it follows the rule; otherwise a usage error naming the rule. */
export const check = (kind: Kind, name: string, from?: string): Effect.Effect<string, UsageError> =>
  isValid(name) ? Effect.succeed(name) : Effect.fail(invalid(kind, name, from))

/**
 * A name that selects an existing entry of `record`: an entry stored under exactly that name is
 * found even when it predates the rule (so it can still be used and removed); any other name must
 * follow the rule. Only the record's own keys count, never `toString` or `__proto__`.
 */
export const validateExisting = (
  kind: Kind,
  name: string,
  record: Readonly<Record<string, unknown>>,
  from?: string
): Either.Either<string, UsageError> => has(record, name) ? Either.right(name) : validate(kind, name, from)
