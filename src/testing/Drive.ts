/** Run an effect that sleeps on the Clock to its end, advancing TestClock a second at a time. */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"

export const toEnd = <A, E, R>(effect: Effect.Effect<A, E, R>, maxSeconds = 3600) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < maxSeconds && (yield* Fiber.poll(fiber))._tag === "None"; i++) {
      yield* TestClock.adjust("1 second")
    }
    return yield* Fiber.join(fiber)
  })
