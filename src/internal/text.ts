/**
 * Text that came from outside (a server, the disk, the environment) made safe to print or store:
 * terminal escape sequences, C0/C1 control characters and Unicode bidi overrides removed, so a
 * hostile provider cannot retitle the terminal, clear the screen, or make one name look like
 * another.
 */

// ESC-introduced sequences, whole: CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC
// (ESC P|X|^|_ … ST), and two-character escapes (ESC followed by one character).
const ESCAPES = /\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x20-\x7e])?/g
// The 8-bit forms of CSI and OSC/DCS/… (C1 0x9b, 0x9d, 0x90, 0x98, 0x9e, 0x9f) with their bodies.
const C1_SEQUENCES = /\x9b[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|[\x90\x98\x9d\x9e\x9f][^\x07\x9c\x1b]*(?:\x07|\x9c)?/g
// Every remaining C0 control, DEL, C1 control, and the bidi embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F, U+061C).
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** `text` without escape sequences, control characters (newlines and tabs included) or bidi controls. */
export const sanitize = (text: string): string =>
  text.replace(ESCAPES, "").replace(C1_SEQUENCES, "").replace(CONTROLS, "")

/** True when `text` holds nothing `sanitize` would remove. */
export const isClean = (text: string): boolean => sanitize(text) === text

/** At most `max` characters of `text`, with an ellipsis when it was cut. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`
