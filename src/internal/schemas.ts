/**
 * Schemas for what comes from outside: strings that are made clean of escape sequences and
 * control characters as they are decoded (so nothing a server sent can reach the terminal or the
 * config file raw), with an upper bound on their length.
 */
import * as Schema from "effect/Schema"
import { sanitize } from "./text.js"

/** Longest string latchkey keeps from a server answer (names, emails, messages, codes). */
export const MAX_STRING = 1024

/** A server-supplied string of at most `max` characters, with control characters and escape sequences removed. */
export const cleanString = (max: number = MAX_STRING) =>
  Schema.transform(
    Schema.String.pipe(Schema.maxLength(max, { message: () => `longer than ${max} characters` })),
    Schema.String,
    { strict: true, decode: sanitize, encode: (s) => s }
  )

export const CleanString = cleanString()
