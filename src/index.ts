/**
 * latchkey, the library: services, their layers, the use cases, the Brand and the domain model,
 * each module as a namespace (as `effect` ships its modules). Nothing under `internal/` is
 * exported; the command kit is `latchkey/cli`, the sandbox `latchkey/sandbox`, test layers
 * `latchkey/testing`.
 *
 * @example
 * ```ts
 * import { Brand, Layers } from "latchkey"
 * import { run } from "latchkey/cli"
 * import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
 * import * as Effect from "effect/Effect"
 *
 * const brand = Brand.make({ name: "acme", envPrefix: "ACME_", keyPrefix: "acme_" })
 * NodeRuntime.runMain(run(process.argv.slice(2)).pipe(Effect.provide(Layers.layerLive(brand))))
 * ```
 */
// Runtime wiring and identity
export * as Brand from "./Brand.js"
export * as ConfigLocation from "./ConfigLocation.js"
export * as Layers from "./Layers.js"
export * as Settings from "./Settings.js"
// Services (each with its live and test layers)
export * as Browser from "./Browser.js"
export * as ConfigStore from "./ConfigStore.js"
export * as HttpTransport from "./HttpTransport.js"
export * as Keyring from "./Keyring.js"
export * as OAuthClient from "./OAuthClient.js"
export * as PlatformApi from "./PlatformApi.js"
export * as Prompt from "./Prompt.js"
export * as SecretStore from "./SecretStore.js"
export * as Tty from "./Tty.js"
// Use cases
export * as ApiKeyLogin from "./ApiKeyLogin.js"
export * as Credentials from "./Credentials.js"
export * as DeviceFlow from "./DeviceFlow.js"
export * as DeviceLogin from "./DeviceLogin.js"
export * as Environments from "./Environments.js"
export * as Inject from "./Inject.js"
export * as MigrateSecrets from "./MigrateSecrets.js"
export * as Profiles from "./Profiles.js"
export * as Projects from "./Projects.js"
export * as Session from "./Session.js"
export * as Status from "./Status.js"
export * as Teams from "./Teams.js"
// Errors and rules
export * as Errors from "./Errors.js"
export * as Notice from "./Notice.js"
export * as Names from "./Names.js"
export * as Urls from "./Urls.js"
