/**
 * `-` in place of an API key (`auth set-key -`, `auth token --api-key -`): the key is read from
 * standard input instead of the command line, where every local user could read it
 * (`ps`, `/proc/<pid>/cmdline`) and the shell would keep it in its history.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { InvalidInput, UsageError } from "../../Errors.js"
import type { KeyInput } from "../../ApiKeyLogin.js"
import { firstLine, Tty } from "../../Tty.js"

/** The argument that means "read it from standard input". */
export const STDIN = "-"

/**
 * The key itself (or `"prompt"`, to be asked where it is validated), or for `-`: the first non-empty line of standard input, trimmed. A terminal on
 * standard input gets a masked prompt when the command may prompt, else a usage error: typing a
 * key into an unmasked terminal would echo it.
 */
export const resolve = Effect.fn("keyArgument.resolve")(function*(key: Redacted.Redacted, options: {
  readonly flag: string
  readonly interactive: boolean
}) {
  if (Redacted.value(key) !== STDIN) return key as KeyInput
  const tty = yield* Tty
  if (tty.stdinIsTTY) {
    // Asked (and asked again when refused) where the key is validated.
    if (options.interactive) return "prompt" as KeyInput
    return yield* new UsageError({ reason: `${options.flag} - reads the key from standard input, which is a terminal here; pipe the key in` })
  }
  const line = firstLine(yield* tty.readStdin)
  if (Option.isNone(line)) return yield* new UsageError({ reason: `${options.flag} - found no API key on standard input` })
  // Never echo what was read: it is a secret even when it is malformed.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(line.value)) {
    return yield* new InvalidInput({ reason: "the API key on standard input contains control characters" })
  }
  return Redacted.make(line.value) as KeyInput
})
