import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { ExitCode, SilentExit } from "../../Errors.js"
import * as MigrateSecrets from "../../MigrateSecrets.js"
import { globals } from "../Globals.js"
import { emit, note, table } from "../Render.js"
import * as Help from "../Help.js"

export const migrateSecrets = Command.make(
  "migrate-secrets",
  {
    globals,
    to: Options.choice("to", ["keyring", "file"] as const).pipe(Options.withDescription("Where the secrets should live"))
  },
  ({ globals: g, to }) =>
    Effect.gen(function*() {
      const results = yield* MigrateSecrets.migrate(to, g.profile)
      yield* emit(g.output, results, (rs) =>
        rs.length === 0
          ? "No profiles."
          : table(["PROFILE", "RESULT"], rs.map((r) => [r.profile, r.status === "failed" ? `failed: ${r.error}` : r.status === "moved" ? `moved from ${r.from.join(", ")} to ${r.to}` : `already in ${r.to}`])))
      const failed = results.filter((r) => r.status === "failed")
      if (failed.length > 0) {
        yield* note(`${failed.length} profile(s) could not be moved and were left as they were`)
        return yield* new SilentExit({ code: ExitCode.Error })
      }
    })
).pipe(
  Command.withDescription("Move stored secrets to the OS keyring or the plaintext file"),
  Help.withHelp({
    details: "All profiles, or --profile. Per profile, the old copy is deleted only after the new store confirms the new one.",
    examples: [{ args: "--to keyring" }, { args: "--to file --profile ci" }],
    env: ["configDir"]
  })
)
