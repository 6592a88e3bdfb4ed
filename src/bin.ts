/**
 * Runtime wiring of the reference CLI: latchkey's brand, live layers, exit code. It imports only
 * the package's entry points (`latchkey`, `latchkey/cli`), as an embedder's bin does.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { run } from "./cli/index.js"
import { Brand, Errors, Layers } from "./index.js"

declare const __LATCHKEY_VERSION__: string

const brand = Brand.make({ version: typeof __LATCHKEY_VERSION__ === "string" ? __LATCHKEY_VERSION__ : "0.0.0-dev" })

NodeRuntime.runMain(run(process.argv.slice(2)).pipe(Effect.provide(Layers.layerLive(brand))), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  // `run` never fails; it ends interrupted only on SIGINT/SIGTERM (Ctrl-C while not at a prompt),
  // which is a cancellation: 130, as at a prompt (README, "Exit codes").
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit)
        ? typeof exit.value === "number" ? exit.value : 1
        : Cause.isInterruptedOnly(exit.cause) ? Errors.ExitCode.Cancelled : 1
    )
})
