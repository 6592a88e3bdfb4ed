import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as ApiKeyLogin from "../../ApiKeyLogin.js"
import { Brand } from "../../Brand.js"
import { UsageError } from "../../Errors.js"
import { globals, interactive } from "../Globals.js"
import { renderLogin } from "./loginOutput.js"

export const login = Command.make(
  "login",
  {
    globals,
    withApiKey: Options.boolean("with-api-key").pipe(
      Options.withDescription("Read an API key from standard input instead of logging in through the browser")
    ),
    noSwitch: Options.boolean("no-switch").pipe(
      Options.withDescription("Store the profile without making it current")
    )
  },
  ({ globals: g, noSwitch, withApiKey }) =>
    Effect.gen(function*() {
      const brand = yield* Brand
      if (!withApiKey) {
        return yield* new UsageError({
          reason: `browser (device-flow) login is not available in this build; use \`${brand.name} auth login --with-api-key\` or \`${brand.name} auth token\``
        })
      }
      const result = yield* ApiKeyLogin.withApiKey({
        profile: g.profile,
        project: g.project,
        noSwitch,
        interactive: yield* interactive(g)
      })
      yield* renderLogin(g.output, result, brand.name)
    })
).pipe(Command.withDescription("Log in and store a profile (--with-api-key: the key comes from standard input)"))
