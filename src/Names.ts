/**
 * The one rule for the names of profiles and environments (README, "Names"): 1 to 128
 * characters, starting with a letter or digit, then letters, digits and `.` `_` `-` `@` `+`.
 * An email address, as a browser login names its profile, fits; a path (`../x`), white space,
 * control characters and `__proto__` do not.
 */
import * as Effect from "effect/Effect"
import { UsageError } from "./Errors.js"

export const MAX_LENGTH = 128

const PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/

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

/** Succeed with `name` when it follows the rule; otherwise a usage error naming the rule. */
export const check = (kind: "profile" | "environment", name: string): Effect.Effect<string, UsageError> =>
  isValid(name)
    ? Effect.succeed(name)
    : Effect.fail(new UsageError({ reason: `invalid ${kind} name ${quote(name)}: ${kind} names are ${RULE}` }))
