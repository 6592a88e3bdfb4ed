/** Runtime wiring of the reference CLI: latchkey's brand, live layers, exit code. */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Brand from "./Brand.js"
import { run } from "./cli/Cli.js"
import { layerLive } from "./Layers.js"

declare const __LATCHKEY_VERSION__: string

const brand = Brand.make({ version: typeof __LATCHKEY_VERSION__ === "string" ? __LATCHKEY_VERSION__ : "0.0.0-dev" })

NodeRuntime.runMain(run(process.argv.slice(2)).pipe(Effect.provide(layerLive(brand))), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : 1)
})
