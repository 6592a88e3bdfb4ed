import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { latchkey } from "../Brand.js"
import { InvalidInput } from "../Errors.js"
import { sanitize, truncate } from "../internal/text.js"
import * as Help from "./Help.js"

/** The control plane's shapes (src/sandbox/ControlPlane.ts), here so that parsing loads no sandbox code. */
const API_SHAPES = ["contract", "flat"] as const
const isApiShape = (s: string): s is (typeof API_SHAPES)[number] => (API_SHAPES as ReadonlyArray<string>).includes(s)

/**
 * latchkey's values for the brand-neutral sandbox: it listens where latchkey's built-in
 * environment points, and its client, pages and fixture keys are latchkey's.
 */
const defaultPort = Number(new URL(latchkey.defaultApiUrl).port)
const defaults = { clientId: "latchkey-cli", title: "latchkey sandbox", keyPrefix: latchkey.keyPrefix }

export const sandbox = Command.make(
  "sandbox",
  {
    port: Options.integer("port").pipe(Options.withDescription("Port on 127.0.0.1 (0: any free port)"), Options.withDefault(defaultPort)),
    issuerPort: Options.integer("issuer-port").pipe(
      Options.withDescription("Port of the OpenID provider on 127.0.0.1 (0: any free port)"),
      Options.withDefault(defaultPort + 1)
    ),
    clientId: Options.text("client-id").pipe(
      Options.withPseudoName("id"),
      Options.withDescription("The OpenID provider's device client, announced in /v1/cli/config"),
      Options.withDefault(defaults.clientId)
    ),
    title: Options.text("title").pipe(
      Options.withPseudoName("name"),
      Options.withDescription("The product name on the provider's pages"),
      Options.withDefault(defaults.title)
    ),
    apiShape: Options.text("api-shape").pipe(
      Options.withPseudoName(API_SHAPES.join("|")),
      Options.withDescription(
        "contract: latchkey's platform API contract; flat: /v1/me answers {id, email, name} and the lists bare JSON arrays"
      ),
      Options.withDefault("contract"),
      Options.mapEffect((shape) =>
        isApiShape(shape)
          ? Effect.succeed(shape)
          : Effect.fail(ValidationError.invalidValue(HelpDoc.p(
            `--api-shape must be one of ${API_SHAPES.join(", ")}, not '${truncate(sanitize(shape), 40)}'`
          )))
      )
    ),
    keyPrefix: Options.text("key-prefix").pipe(
      Options.withPseudoName("prefix"),
      Options.withDescription(`What the built-in fixtures' API keys start with (default ${defaults.keyPrefix})`),
      Options.optional
    ),
    fixtures: Options.file("fixtures", { exists: "yes" }).pipe(
      Options.withDescription("JSON file of users, teams, projects and API keys (default: the built-in fixtures)"),
      Options.optional
    ),
    interval: Options.integer("interval").pipe(
      Options.withDescription("Seconds the device flow makes clients wait between polls (slow_down when they don't)"),
      Options.withDefault(5)
    ),
    accessTokenTtl: Options.integer("access-token-ttl").pipe(
      Options.withDescription("Access-token lifetime in seconds"),
      Options.withDefault(3600)
    ),
    approveAs: Options.text("approve-as").pipe(
      Options.withDescription("Demo mode: approve every device code as this fixture user (email), unattended"),
      Options.optional
    ),
    approveAfter: Options.integer("approve-after").pipe(
      Options.withDescription("Seconds before demo mode approves a code"),
      Options.withDefault(3)
    )
  },
  (options) =>
    // Loaded on demand: the sandbox is never on the CLI's runtime path.
    Effect.promise(() => import("../sandbox/run.js")).pipe(
      Effect.flatMap((m) =>
        m.run({
          ...options,
          // With --port 0 the provider takes a free port too.
          issuerPort: options.port === 0 ? 0 : options.issuerPort,
          // latchkey's prefix for the built-in fixtures; a fixtures file's keys are its own.
          keyPrefix: Option.isNone(options.fixtures) && Option.isNone(options.keyPrefix) ? Option.fromNullable(defaults.keyPrefix) : options.keyPrefix
        })
      ),
      Effect.mapError((e) => new InvalidInput({ reason: e.message }))
    )
).pipe(
  Command.withDescription("Run a local platform on 127.0.0.1, for tests and demos"),
  Help.withHelp({
    details:
      "A control-plane API with fixture users, teams, projects and keys, and a real OpenID provider. Prints one JSON line {apiUrl, issuer, clientId} when ready and serves until interrupted.",
    examples: [
      { args: "" },
      { args: "--port 0 --fixtures my-fixtures.json" },
      { args: "--port 0 --api-shape flat --client-id acme-cli --title Acme --key-prefix ak_", about: "Another brand's platform" },
      { args: "--port 0 --approve-as alice@example.com --approve-after 2", about: "Demo mode" }
    ]
  })
)
