/**
 * Facts about the process's standard streams, and reading standard input. Whether the CLI may
 * prompt is decided from these (both stdin and stdout a TTY, `CI` unset) unless
 * `--interactive/--no-interactive` says otherwise.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { InvalidInput } from "./Errors.js"

export interface TtyShape {
  readonly stdinIsTTY: boolean
  readonly stdoutIsTTY: boolean
  readonly stderrIsTTY: boolean
  /** All of standard input, as text. */
  readonly readStdin: Effect.Effect<string, InvalidInput>
  /** Write to stderr without a newline (for a spinner that redraws its line). */
  readonly writeStderr: (text: string) => Effect.Effect<void>
}

export class Tty extends Context.Tag("latchkey/Tty")<Tty, TtyShape>() {}

export const layer: Layer.Layer<Tty> = Layer.sync(Tty, () =>
  Tty.of({
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    readStdin: Effect.tryPromise({
      try: async () => {
        const chunks: Array<Buffer> = []
        for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk))
        return Buffer.concat(chunks).toString("utf8")
      },
      catch: (e) => new InvalidInput({ reason: `cannot read standard input: ${e instanceof Error ? e.message : String(e)}` })
    }),
    writeStderr: (text) => Effect.sync(() => void process.stderr.write(text))
  }))

/** Fixed answers, for tests: `layerTest({ stdin: "lk_…\n" })` is a pipe; `{ tty: true }` a terminal. */
export const layerTest = (options: { readonly tty?: boolean; readonly stdin?: string } = {}): Layer.Layer<Tty> =>
  Layer.succeed(
    Tty,
    Tty.of({
      stdinIsTTY: options.tty ?? false,
      stdoutIsTTY: options.tty ?? false,
      stderrIsTTY: options.tty ?? false,
      readStdin: Effect.succeed(options.stdin ?? ""),
      writeStderr: () => Effect.void
    })
  )
