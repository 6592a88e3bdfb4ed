/**
 * Facts about the process's standard streams, and reading standard input. Whether the CLI may
 * prompt is decided from these (both stdin and stdout a TTY, `CI` unset) unless
 * `--interactive/--no-interactive` says otherwise.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { InvalidInput } from "./Errors.js"

export interface TtyShape {
  readonly stdinIsTTY: boolean
  readonly stdoutIsTTY: boolean
  readonly stderrIsTTY: boolean
  /** All of standard input, as text (at most `MAX_STDIN` bytes). */
  readonly readStdin: Effect.Effect<string, InvalidInput>
  /** Write to stderr without a newline (for a spinner that redraws its line). */
  readonly writeStderr: (text: string) => Effect.Effect<void>
  /**
   * Completes once standard input has reached its end (at once if it already has); never on a
   * terminal, where Ctrl-D is a keypress. A prompt races its answer against it.
   */
  readonly inputEnded: Effect.Effect<void>
}

/** More than this on standard input is refused: a key or a token is a few hundred bytes. */
export const MAX_STDIN = 1024 * 1024

/** The first non-empty line of `text`, trimmed: how a secret is piped in (`echo "$KEY" | …`). */
export const firstLine = (text: string): Option.Option<string> =>
  Option.fromNullable(text.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0))

export class Tty extends Context.Tag("latchkey/Tty")<Tty, TtyShape>() {}

export const layer: Layer.Layer<Tty> = Layer.sync(Tty, () =>
  Tty.of({
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    readStdin: Effect.tryPromise({
      try: async () => {
        const chunks: Array<Buffer> = []
        let size = 0
        for await (const chunk of process.stdin) {
          size += chunk.length
          if (size > MAX_STDIN) {
            process.stdin.destroy()
            throw new InvalidInput({ reason: `standard input is larger than ${MAX_STDIN / 1024 / 1024} MiB` })
          }
          chunks.push(Buffer.from(chunk))
        }
        return Buffer.concat(chunks).toString("utf8")
      },
      catch: (e) =>
        e instanceof InvalidInput
          ? e
          : new InvalidInput({ reason: `cannot read standard input: ${e instanceof Error ? e.message : String(e)}` })
    }),
    writeStderr: (text) => Effect.sync(() => void process.stderr.write(text)),
    inputEnded: Effect.async<void>((resume) => {
      const stdin = process.stdin
      if (stdin.readableEnded || stdin.destroyed) return resume(Effect.void)
      const ended = () => resume(Effect.void)
      stdin.once("end", ended)
      stdin.once("close", ended)
      return Effect.sync(() => {
        stdin.off("end", ended)
        stdin.off("close", ended)
      })
    })
  }))

/**
 * Fixed answers, for tests: `layerTest({ stdin: "lk_…\n" })` is a pipe; `{ tty: true }` a terminal;
 * `{ inputEnded: true }` a standard input already at its end.
 */
export const layerTest = (options: { readonly tty?: boolean; readonly stdin?: string; readonly inputEnded?: boolean } = {}): Layer.Layer<Tty> =>
  Layer.succeed(
    Tty,
    Tty.of({
      stdinIsTTY: options.tty ?? false,
      stdoutIsTTY: options.tty ?? false,
      stderrIsTTY: options.tty ?? false,
      readStdin: Effect.succeed(options.stdin ?? ""),
      writeStderr: () => Effect.void,
      inputEnded: options.inputEnded === true ? Effect.void : Effect.never
    })
  )
