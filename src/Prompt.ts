/**
 * Questions asked of the person at the terminal: masked secret entry and choosing from a list.
 * Use cases ask only when `Tty.interactive` says they may; the scripted layer lets tests answer.
 */
import * as CliPrompt from "@effect/cli/Prompt"
import * as Terminal from "@effect/platform/Terminal"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { Cancelled, InvalidInput } from "./Errors.js"
import { Tty } from "./Tty.js"

export interface Choice<A> {
  readonly title: string
  readonly value: A
  readonly description?: string
}

/** Why a question got no answer: Ctrl-C/Ctrl-D/Esc (`Cancelled`), or standard input at its end. */
export type NoAnswer = Cancelled | InvalidInput

export interface PromptShape {
  /** Masked entry: one `*` per character typed. */
  readonly secret: (message: string) => Effect.Effect<Redacted.Redacted, NoAnswer>
  readonly select: <A>(message: string, choices: ReadonlyArray<Choice<A>>) => Effect.Effect<A, NoAnswer>
}

export class Prompt extends Context.Tag("latchkey/Prompt")<Prompt, PromptShape>() {}

/** End-of-input at a question is an error, not a wait that never ends (`--interactive < /dev/null`). */
export const inputEndedReason = "no answer: standard input ended"

/**
 * Prompts on the real terminal, through @effect/cli's prompt widgets. A question ended by Ctrl-C or
 * by the end of standard input finishes its line first, so what follows starts on a line of its own.
 */
export const layer: Layer.Layer<Prompt, never, CliPrompt.Prompt.Environment | Tty> = Layer.effect(
  Prompt,
  Effect.gen(function*() {
    const context = yield* Effect.context<CliPrompt.Prompt.Environment>()
    const terminal = yield* Terminal.Terminal
    const tty = yield* Tty
    const endLine = terminal.display("\n").pipe(Effect.ignore)
    const run = <A>(prompt: CliPrompt.Prompt<A>): Effect.Effect<A, NoAnswer> =>
      Effect.raceFirst(
        CliPrompt.run(prompt).pipe(
          Effect.catchTag("QuitException", () => Effect.zipRight(endLine, new Cancelled())),
          Effect.provide(context)
        ),
        tty.inputEnded.pipe(Effect.zipRight(Effect.zipRight(endLine, new InvalidInput({ reason: inputEndedReason }))))
      ).pipe(
        // A SIGINT that reaches the process while the question is shown (no raw mode to read it as a key).
        Effect.onInterrupt(() => endLine)
      )
    return Prompt.of({
      secret: (message) =>
        run(CliPrompt.password({
          message,
          validate: (s) => s.trim().length > 0 ? Effect.succeed(s.trim()) : Effect.fail("must not be empty")
        })),
      select: (message, choices) =>
        run(CliPrompt.select({
          message,
          choices: choices.map((c) => ({
            title: c.title,
            value: c.value,
            ...(c.description === undefined ? {} : { description: c.description })
          }))
        }))
    })
  })
)

/**
 * Answers from a script, for tests. A secret question takes the next string; a select takes the
 * next string as the title to pick. An unexpected question is a defect, so the test fails.
 * `asked` records every question.
 */
export const makeScripted = (answers: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const queue = yield* Ref.make(answers)
    const asked = yield* Ref.make<ReadonlyArray<string>>([])
    const next = (question: string) =>
      Effect.gen(function*() {
        yield* Ref.update(asked, (a) => [...a, question])
        const [head, ...rest] = yield* Ref.get(queue)
        if (head === undefined) return yield* Effect.dieMessage(`unexpected prompt: ${question}`)
        yield* Ref.set(queue, rest)
        return head
      })
    const prompt = Prompt.of({
      secret: (message) => next(message).pipe(Effect.map(Redacted.make)),
      select: (message, choices) =>
        next(message).pipe(Effect.flatMap((title) => {
          const choice = choices.find((c) => c.title === title)
          return choice
            ? Effect.succeed(choice.value)
            : Effect.dieMessage(`scripted answer ${title} is not among ${choices.map((c) => c.title).join(", ")}`)
        }))
    })
    return { prompt, asked: Ref.get(asked) }
  })

export const layerScripted = (answers: ReadonlyArray<string>): Layer.Layer<Prompt> =>
  Layer.effect(Prompt, Effect.map(makeScripted(answers), (s) => s.prompt))
