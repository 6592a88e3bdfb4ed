/**
 * The live wiring of every service, for a given Brand. An embedder's bin calls `layerLive` with
 * their own brand, or assembles their own from the same parts (say, their own `PlatformApi`).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as os from "node:os"
import * as Brand from "./Brand.js"
import * as Browser from "./Browser.js"
import * as ConfigLocation from "./ConfigLocation.js"
import * as ConfigStore from "./ConfigStore.js"
import * as HttpTransport from "./HttpTransport.js"
import * as Keyring from "./Keyring.js"
import * as OAuthClient from "./OAuthClient.js"
import * as PlatformApi from "./PlatformApi.js"
import * as Prompt from "./Prompt.js"
import * as Settings from "./Settings.js"
import * as SecretStore from "./SecretStore.js"
import * as Tty from "./Tty.js"

/** What @effect/cli needs to run a command (file system, path, terminal). */
export const layerPlatform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

/**
 * The brand's config file for this process: its location, resolved against the environment
 * (read through `Config`, so tests set it with a `ConfigProvider`) and the host facts that are not
 * variables, which the caller gives (`process.platform`, `os.homedir`).
 */
export const locateConfigFile = (host: { readonly platform: string; readonly homedir: () => string }) =>
  Effect.gen(function*() {
    const brand = yield* Brand.Brand
    const env = yield* Settings.read
    return ConfigLocation.resolve(brand.config, {
      platform: host.platform,
      home: Option.getOrElse(env.home, host.homedir),
      configDir: Option.getOrUndefined(env.configDir),
      xdgConfigHome: Option.getOrUndefined(env.xdgConfigHome),
      appData: Option.getOrUndefined(env.appData)
    })
  })

/** The profiles file where the Brand's config location and the environment put it, on this machine. */
export const layerConfigFile: Layer.Layer<ConfigStore.ConfigStore, never, Brand.Brand> = Layer.unwrapEffect(
  Effect.map(locateConfigFile({ platform: process.platform, homedir: os.homedir }), (path) => ConfigStore.layerFile({ path }))
)

export const layerLive = (brand: Brand.BrandShape) => {
  const config = layerConfigFile
  // Every request of the CLI goes through one transport: bodies capped at 1 MiB, no redirects,
  // the proxy variables of the environment honoured (see HttpTransport).
  const http = HttpTransport.layer({ proxy: HttpTransport.proxyFromEnv(process.env) })
  return Layer.mergeAll(
    config,
    SecretStore.layer.pipe(Layer.provide(config), Layer.provide(Keyring.layer)),
    PlatformApi.layer.pipe(Layer.provide(http)),
    OAuthClient.layer.pipe(Layer.provide(http)),
    Browser.layer,
    Prompt.layer.pipe(Layer.provide(layerPlatform), Layer.provide(Tty.layer)),
    Tty.layer,
    layerPlatform
  ).pipe(Layer.provideMerge(Brand.layer(brand)))
}
