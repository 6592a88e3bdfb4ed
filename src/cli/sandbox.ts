import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { latchkey } from "../Brand.js"
import { InvalidInput } from "../Errors.js"

/** The sandbox listens where latchkey's built-in environment points. */
const defaultPort = Number(new URL(latchkey.defaultApiUrl).port)

export const sandbox = Command.make(
  "sandbox",
  {
    port: Options.integer("port").pipe(Options.withDescription("Port on 127.0.0.1 (0: any free port)"), Options.withDefault(defaultPort)),
    fixtures: Options.file("fixtures", { exists: "yes" }).pipe(
      Options.withDescription("JSON file of users, teams, projects and API keys (default: the built-in fixtures)"),
      Options.optional
    )
  },
  (options) =>
    // Loaded on demand: the sandbox is never on the CLI's runtime path.
    Effect.promise(() => import("../sandbox/run.js")).pipe(
      Effect.flatMap((m) => m.run(options)),
      Effect.mapError((e) => new InvalidInput({ reason: e.message }))
    )
).pipe(Command.withDescription(
  "Run a local platform (control-plane API with fixture users, teams, projects and keys) on 127.0.0.1; prints one JSON line with its apiUrl when ready"
))
