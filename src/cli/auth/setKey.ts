import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as ApiKeyLogin from "../../ApiKeyLogin.js"
import { Brand } from "../../Brand.js"
import { globals, interactive } from "../Globals.js"
import * as KeyArgument from "./keyArgument.js"
import { renderLogin } from "./loginOutput.js"
import * as Help from "../Help.js"

export const setKey = Command.make(
  "set-key",
  {
    globals,
    key: Args.redacted({ name: "key" }).pipe(
      Args.withDescription("The API key, or - to read it from standard input (safer: argv is visible to every local user)")
    ),
    insecureStorage: Options.boolean("insecure-storage").pipe(
      Options.withDescription("Store the credential in the plaintext 0600 file instead of the OS keyring")
    ),
  },
  ({ globals: g, insecureStorage, key }) =>
    Effect.gen(function*() {
      const brand = yield* Brand
      const resolved = yield* KeyArgument.resolve(key, { flag: "set-key", interactive: yield* interactive(g) })
      const result = yield* ApiKeyLogin.setKey({ key: resolved, profile: g.profile, project: g.project, insecure: insecureStorage })
      yield* renderLogin(g.output, result, brand.name)
    })
).pipe(
  Command.withDescription("Store an API key in the current or --profile profile"),
  Help.withHelp({
    details: "The key is validated by listing projects; the first project is selected.",
    examples: [{ args: "\"$KEY\"" }, { args: "\"$KEY\" --profile ci --insecure-storage" }],
    env: ["apiUrl", "keyring", "configDir"]
  })
)
