import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ApiKeyLogin from "../../ApiKeyLogin.js"
import { Brand } from "../../Brand.js"
import { globals, interactive } from "../Globals.js"
import * as KeyArgument from "./keyArgument.js"
import { renderLogin } from "./loginOutput.js"
import * as Help from "../Help.js"

export const token = Command.make(
  "token",
  {
    globals,
    apiKey: Options.redacted("api-key").pipe(
      Options.withDescription(
        "The API key, or - to read it from standard input (safer: argv is visible to every local user); prompted for, masked, when omitted on a terminal"
      ),
      Options.optional
    ),
    insecureStorage: Options.boolean("insecure-storage").pipe(
      Options.withDescription("Store the credential in the plaintext 0600 file instead of the OS keyring")
    ),
  },
  ({ apiKey, globals: g, insecureStorage }) =>
    Effect.gen(function*() {
      const brand = yield* Brand
      const canPrompt = yield* interactive(g)
      const result = yield* ApiKeyLogin.token({
        apiKey: Option.isSome(apiKey)
          ? Option.some(yield* KeyArgument.resolve(apiKey.value, { flag: "--api-key", interactive: canPrompt }))
          : apiKey,
        project: g.project,
        profile: g.profile,
        interactive: canPrompt,
        insecure: insecureStorage
      })
      yield* renderLogin(g.output, result, brand.name)
    })
).pipe(
  Command.withDescription("Create a profile from an API key"),
  Help.withHelp({
    details: "The key is validated by listing projects, then a project is selected; without a terminal, give --api-key and --project.",
    examples: [
      { args: "", about: "Prompt for the key (masked) and the project" },
      { args: "--api-key \"$KEY\" --project prj_acme_web --profile ci" }
    ],
    env: ["apiUrl", "keyring", "configDir", "ci"]
  })
)
