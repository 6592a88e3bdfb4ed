/**
 * Questions asked of the person at the terminal: masked secret entry and choosing from a list.
 * Use cases ask only when `Tty.interactive` says they may; the scripted layer lets tests answer.
 */
import * as CliPrompt from "@effect/cli/Prompt"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { Cancelled } from "./Errors.js"

export interface Choice<A> {
  readonly title: string
  readonly value: A
  readonly description?: string
}

export interface PromptShape {
  readonly secret: (message: string) => Effect.Effect<Redacted.Redacted, Cancelled>
  readonly select: <A>(message: string, choices: ReadonlyArray<Choice<A>>) => Effect.Effect<A, Cancelled>
}

export class Prompt extends Context.Tag("latchkey/Prompt")<Prompt, PromptShape>() {}

/** Prompts on the real terminal, through @effect/cli's prompt widgets. */
export const layer: Layer.Layer<Prompt, never, CliPrompt.Prompt.Environment> = Layer.effect(
  Prompt,
  Effect.gen(function*() {
    const context = yield* Effect.context<CliPrompt.Prompt.Environment>()
    const run = <A>(prompt: CliPrompt.Prompt<A>) =>
      CliPrompt.run(prompt).pipe(
        Effect.catchTag("QuitException", () => new Cancelled()),
        Effect.provide(context)
      )
    return Prompt.of({
      secret: (message) =>
        run(CliPrompt.hidden({
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
