/**
 * latchkey/cli, the command kit: the reference CLI's verbs, its root command (`makeRoot`) and
 * `run`, which parses argv, runs the verb and turns every outcome into an exit code with one-line
 * errors; and the pieces verbs are made of (global options, help, rendering).
 *
 * @example
 * ```ts
 * import { Brand, Layers } from "latchkey"
 * import { Cli } from "latchkey/cli"
 * import * as Effect from "effect/Effect"
 *
 * const code = await Effect.runPromise(
 *   Cli.run(["auth", "status"]).pipe(Effect.provide(Layers.layerLive(Brand.make({ name: "acme" }))))
 * )
 * ```
 */
export * as Cli from "./Cli.js"
export { makeRoot, run } from "./Cli.js"
export * as CommandLine from "./CommandLine.js"
export * as Commands from "./Commands.js"
export * as Globals from "./Globals.js"
export * as Help from "./Help.js"
export * as Messages from "./Messages.js"
export * as Jq from "./Jq.js"
export * as Render from "./Render.js"
