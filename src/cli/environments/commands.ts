import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Environments from "../../Environments.js"
import { globals } from "../Globals.js"
import { emit, orDash, table } from "../Render.js"
import * as Help from "../Help.js"

const name = Args.text({ name: "name" }).pipe(Args.withDescription("Environment name"))

export const get = Command.make("get", { globals }, ({ globals: g }) =>
  Effect.gen(function*() {
    const envs = yield* Environments.list()
    yield* emit(g.output, envs, (es) =>
      table(
        ["", "NAME", "API URL", "ISSUER", "PROFILES"],
        es.map((e) => [e.current ? "*" : "", e.name, e.apiUrl, orDash(e.issuer), String(e.profiles)])
      ))
  })).pipe(
    Command.withDescription("List environments"),
    Help.withHelp({ details: "The current environment is marked *.", examples: [{ args: "" }, { args: "-o json" }], env: ["configDir"] })
  )

export const add = Command.make(
  "add",
  {
    globals,
    name,
    apiUrl: Options.text("api-url").pipe(Options.withDescription("The platform's API URL")),
    issuer: Options.text("issuer").pipe(Options.withDescription("OpenID issuer, if the API does not announce one"), Options.optional),
    clientId: Options.text("client-id").pipe(Options.withDescription("OpenID client id for the device flow"), Options.optional),
    noProbe: Options.boolean("no-probe").pipe(Options.withDescription("Do not contact the API before adding")),
    allowHttp: Options.boolean("allow-http").pipe(
      Options.withDescription(
        "Allow plain http to hosts other than this machine for this environment (API, issuer, provider endpoints): credentials then travel in cleartext"
      )
    )
  },
  ({ allowHttp, apiUrl, clientId, globals: g, issuer, name, noProbe }) =>
    Effect.gen(function*() {
      const result = yield* Environments.add({ name, apiUrl, issuer, clientId, probe: !noProbe, allowHttp })
      yield* emit(g.output, result, (r) =>
        `${r.updated ? "Updated" : "Added"} environment ${r.name} (${r.apiUrl})${
          r.allowHttp ? "; plain http allowed (--allow-http): credentials sent over it travel in cleartext" : ""
        }`)
    })
).pipe(
  Command.withDescription("Add or update an environment"),
  Help.withHelp({
    details: "The API is probed (GET /v1/cli/config) first, unless --no-probe.",
    examples: [{ args: "staging --api-url https://api.staging.example.com" }, { args: "local --api-url http://127.0.0.1:4477 --no-probe" }],
    env: ["configDir"]
  })
)

export const use = Command.make("use", { globals, name }, ({ globals: g, name }) =>
  Effect.gen(function*() {
    const result = yield* Environments.use(name)
    yield* emit(
      g.output,
      result,
      (r) => `Switched to environment ${r.name}${r.currentProfile ? ` (profile ${r.currentProfile})` : " (no profile yet)"}`
    )
  })).pipe(
    Command.withDescription("Switch environment"),
    Help.withHelp({ details: "Each environment remembers its current profile.", examples: [{ args: "staging" }], env: ["configDir"] })
  )

export const remove = Command.make("delete", { globals, name }, ({ globals: g, name }) =>
  Effect.gen(function*() {
    const result = yield* Environments.remove(name)
    yield* emit(g.output, result, (r) => `Deleted environment ${r.name}`)
  })).pipe(
    Command.withDescription("Delete an environment that has no profiles"),
    Help.withHelp({ examples: [{ args: "staging" }], env: ["configDir"] })
  )

export const environments = Command.make("environments").pipe(
  Command.withDescription("Named platform deployments; profiles belong to one"),
  Command.withSubcommands([get, add, use, remove])
)
