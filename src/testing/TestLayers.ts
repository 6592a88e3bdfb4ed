/**
 * Everything a use case or a command needs, in memory, for latchkey's tests and an embedder's:
 * brand, environment variables (through a ConfigProvider), config and secret stores, scripted
 * prompts, fixed TTY facts, a recording console, and the real PlatformApi over a given
 * HttpClient (the in-process sandbox by default).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Terminal from "@effect/platform/Terminal"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as path from "node:path"
import * as Brand from "../Brand.js"
import * as Browser from "../Browser.js"
import { run } from "../cli/Cli.js"
import * as ConfigStore from "../ConfigStore.js"
import * as HttpTransport from "../HttpTransport.js"
import * as Keyring from "../Keyring.js"
import * as Layers from "../Layers.js"
import * as Messages from "../cli/Messages.js"
import * as Notice from "../Notice.js"
import * as OAuthClient from "../OAuthClient.js"
import * as PlatformApi from "../PlatformApi.js"
import * as Prompt from "../Prompt.js"
import * as SecretStore from "../SecretStore.js"
import * as Tty from "../Tty.js"
import * as TestConsole from "./TestConsole.js"

export interface Options {
  readonly env?: Record<string, string>
  /** Seed for the in-memory config store; ignored when `configDir` is given. */
  readonly config?: ConfigStore.ConfigFile
  /** Use the real file stores in this directory instead of memory. */
  readonly configDir?: string
  /**
   * Use the real file stores where the live wiring puts them: the Brand's config location on this
   * platform, under the `HOME` (and other variables) of `env`.
   */
  readonly locate?: boolean
  readonly tty?: boolean
  readonly stdin?: string
  readonly prompts?: ReadonlyArray<string>
  readonly http?: Layer.Layer<HttpClient.HttpClient>
  readonly brand?: Brand.MakeOptions
  /** The OS keyring behind the file-backed stores (default: an unavailable one). */
  readonly keyring?: typeof Keyring.Keyring.Service
  /**
   * What becomes of the library's notices outside `cli` (which prints its own): "render" prints
   * them on the recording console in latchkey's words, as the CLI does (the default); "record"
   * only keeps them in `notices`, as an embedder that renders nothing would.
   */
  readonly notices?: "render" | "record"
}

/** A terminal that nobody types into: the scripted Prompt answers instead. */
const silentTerminal = Layer.succeed(Terminal.Terminal, {
  columns: Effect.succeed(80),
  rows: Effect.succeed(24),
  isTTY: Effect.succeed(false),
  readInput: Effect.dieMessage("test terminal: no input"),
  readLine: Effect.dieMessage("test terminal: no input"),
  display: (text: string) => Console.log(text)
} as Terminal.Terminal)

export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const { console, recorded } = TestConsole.make()
    const noticeLog = Notice.makeRecording()
    const messages = Messages.make(Messages.names(options.brand?.name ?? Brand.latchkey.name))
    const notices = Layer.succeed(Notice.Notices, {
      notify: (notice: Notice.Notice) =>
        Effect.zipRight(noticeLog.notices.notify(notice), options.notices === "record" ? Effect.void : Console.error(messages.notice(notice)))
    })
    const secrets = yield* SecretStore.makeMemory
    const prompts = yield* Prompt.makeScripted(options.prompts ?? [])
    const browser = yield* Browser.makeRecording
    const brandShape = Brand.make({ version: "0.0.0-test", ...options.brand })
    const env = { ...options.env }
    const provider = Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    const brand = Brand.layer(brandShape)
    // Built once, so every `provide` below sees the same in-memory state.
    const memoryConfig = yield* ConfigStore.makeMemory(options.config ?? ConfigStore.empty(brandShape))
    const fileStore = options.configDir
      ? ConfigStore.layerFile({ path: path.join(options.configDir, ConfigStore.CONFIG_FILE_NAME) })
      : options.locate
      ? Layers.layerConfigFile
      : undefined
    const stores = fileStore
      ? Layer.merge(
        fileStore,
        SecretStore.layer.pipe(Layer.provide(fileStore), Layer.provide(Layer.succeed(Keyring.Keyring, options.keyring ?? Keyring.unavailable("no keyring in this test"))))
      )
      : Layer.merge(Layer.succeed(ConfigStore.ConfigStore, memoryConfig), Layer.succeed(SecretStore.SecretStore, secrets.store))
    const layer = Layer.mergeAll(
      stores,
      PlatformApi.layer.pipe(Layer.provide(options.http ?? HttpTransport.layer())),
      OAuthClient.layer.pipe(Layer.provide(options.http ?? HttpTransport.layer())),
      Layer.succeed(Prompt.Prompt, prompts.prompt),
      Layer.succeed(Browser.Browser, browser.browser),
      Tty.layerTest({ ...(options.tty === undefined ? {} : { tty: options.tty }), ...(options.stdin === undefined ? {} : { stdin: options.stdin }) }),
      NodeFileSystem.layer,
      NodePath.layer,
      silentTerminal,
      notices
    ).pipe(Layer.provideMerge(brand), Layer.provideMerge(provider))
    /** Run a use case (or any effect) against these services, with the recording console. */
    const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      effect.pipe(Effect.provide(layer), Effect.withConsole(console)) as Effect.Effect<
        A,
        E,
        Exclude<R, Layer.Layer.Success<typeof layer>>
      >
    /** Run the real CLI on `argv`; returns the exit code and clears the recorded output first. */
    const cli = (...argv: ReadonlyArray<string>) => {
      recorded.stdout.length = 0
      recorded.stderr.length = 0
      return provide(run(argv))
    }
    return {
      layer,
      provide,
      cli,
      recorded,
      /** Every notice the library delivered, in order (`cli` runs deliver theirs to its own printer). */
      notices: noticeLog.recorded,
      secrets: secrets.entries,
      asked: prompts.asked,
      opened: browser.opened,
      config: provide(Effect.flatMap(ConfigStore.ConfigStore, (s) => s.read))
    }
  })
