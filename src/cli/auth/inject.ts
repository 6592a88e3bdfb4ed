/** `auth inject [--env-file PATH]`: the credential in use, written into a .env file for other tools. */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as path from "node:path"
import { UsageError } from "../../Errors.js"
import * as Inject from "../../Inject.js"
import { flags, globals } from "../Globals.js"
import * as Help from "../Help.js"
import { emit } from "../Render.js"

export const inject = Command.make(
  "inject",
  {
    globals,
    envFile: Options.text("env-file").pipe(
      Options.withDescription("The .env file to write (created 0600 if missing; other lines are kept as they are)"),
      Options.withDefault(".env")
    )
  },
  ({ envFile, globals: g }) =>
    Effect.gen(function*() {
      if (envFile.trim() === "") return yield* new UsageError({ reason: "--env-file needs a file name" })
      const result = yield* Inject.inject(flags(g), path.resolve(envFile))
      yield* emit(g.output, result, (r) => {
        const what = r.variables.map((v) => v.name).join(", ")
        return r.changed
          ? `Wrote ${what} to ${r.file}${r.created ? " (created, mode 0600)" : ""}`
          : `${r.file} already holds ${what}; left as it is`
      })
    })
).pipe(
  Command.withDescription("Write the API key, API URL and project in use into a .env file"),
  Help.withHelp({
    details:
      "Creates the file 0600 if it is missing; only the lines of those three variables change, every other line is kept byte for byte. A login session is refused: its token expires within the hour.",
    examples: [{ args: "" }, { args: "--env-file config/dev.env --profile ci" }],
    env: Help.CREDENTIAL_ENV
  })
)
