/** A Console that records stdout (`log`) and stderr (`error`) lines instead of printing them. */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

export interface Recorded {
  readonly stdout: Array<string>
  readonly stderr: Array<string>
}

export const make = () => {
  const recorded: Recorded = { stdout: [], stderr: [] }
  const text = (args: ReadonlyArray<unknown>) => args.map(String).join(" ")
  const out = (...args: ReadonlyArray<unknown>) => {
    recorded.stdout.push(text(args))
  }
  const err = (...args: ReadonlyArray<unknown>) => {
    recorded.stderr.push(text(args))
  }
  const noop = () => {}
  const unsafe: Console.UnsafeConsole = {
    assert: noop,
    clear: noop,
    count: noop,
    countReset: noop,
    debug: err,
    dir: out,
    dirxml: out,
    error: err,
    group: noop,
    groupCollapsed: noop,
    groupEnd: noop,
    info: out,
    log: out,
    table: out,
    time: noop,
    timeEnd: noop,
    timeLog: noop,
    trace: err,
    warn: err
  }
  const lift = (f: (...args: ReadonlyArray<unknown>) => void) => (...args: ReadonlyArray<unknown>) => Effect.sync(() => f(...args))
  const console: Console.Console = {
    [Console.TypeId]: Console.TypeId,
    assert: () => Effect.void,
    clear: Effect.void,
    count: () => Effect.void,
    countReset: () => Effect.void,
    debug: lift(err),
    dir: lift(out),
    dirxml: lift(out),
    error: lift(err),
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: lift(out),
    log: lift(out),
    table: lift(out),
    time: () => Effect.void,
    timeEnd: () => Effect.void,
    timeLog: () => Effect.void,
    trace: lift(err),
    warn: lift(err),
    unsafe
  }
  return { console, recorded }
}
