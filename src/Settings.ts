/**
 * Settings read from the environment, under the names the Brand gives them
 * (`LATCHKEY_API_KEY`, `LATCHKEY_PROFILE`, …); a variable the brand leaves out is never read.
 * Read with `Config`, so tests set them through a `ConfigProvider` instead of mutating `process.env`.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Brand, type BrandShape, type EnvNames, type EnvVariable } from "./Brand.js"

export interface EnvSettings {
  readonly apiKey: Option.Option<Redacted.Redacted>
  readonly projectId: Option.Option<string>
  readonly apiUrl: Option.Option<string>
  readonly profile: Option.Option<string>
  /** The brand's `useProfile` variable (`LATCHKEY_USE_PROFILE=1`): ignore credentials from the environment. */
  readonly useProfile: boolean
  readonly configDir: Option.Option<string>
  readonly xdgConfigHome: Option.Option<string>
  readonly home: Option.Option<string>
  /** `%APPDATA%`: where the OS's config directory is on Windows. */
  readonly appData: Option.Option<string>
  /** `CI` is set: never prompt. */
  readonly ci: boolean
  /** False when the brand's `keyring` variable is `0` (`LATCHKEY_KEYRING=0`): secrets go to the plaintext file without trying the keyring. */
  readonly keyring: boolean
}

/** The names of the brand's variables; `undefined` for one it leaves out. */
export const variableNames = (brand: Pick<BrandShape, "env">): EnvNames => brand.env

/**
 * The names for messages about a value read from a variable. A left-out variable is never read,
 * so its stand-in (the setting's key) cannot show; a hint that suggests *setting* a variable
 * checks `variableNames` instead.
 */
export const sourceNames = (brand: Pick<BrandShape, "env">): { readonly [K in EnvVariable]: string } => ({
  apiKey: brand.env.apiKey ?? "apiKey",
  projectId: brand.env.projectId ?? "projectId",
  apiUrl: brand.env.apiUrl ?? "apiUrl",
  profile: brand.env.profile ?? "profile",
  useProfile: brand.env.useProfile ?? "useProfile",
  configDir: brand.env.configDir ?? "configDir",
  keyring: brand.env.keyring ?? "keyring"
})

/** Empty variables count as unset: `LATCHKEY_API_KEY= cmd` must not authenticate with "". */
const nonEmpty = (name: string | undefined): Config.Config<Option.Option<string>> =>
  name === undefined ? Config.succeed(Option.none()) : Config.string(name).pipe(
    Config.option,
    Config.map(Option.flatMap((s) => {
      const trimmed = s.trim()
      return trimmed.length > 0 ? Option.some(trimmed) : Option.none()
    }))
  )

const flag = (name: string | undefined) =>
  nonEmpty(name).pipe(Config.map(Option.exists((s) => ["1", "true", "yes", "on"].includes(s.toLowerCase()))))

export const read: Effect.Effect<EnvSettings, never, Brand> = Effect.gen(function*() {
  const brand = yield* Brand
  const names = variableNames(brand)
  const settings = yield* Config.all({
    apiKey: nonEmpty(names.apiKey).pipe(Config.map(Option.map(Redacted.make))),
    projectId: nonEmpty(names.projectId),
    apiUrl: nonEmpty(names.apiUrl),
    profile: nonEmpty(names.profile),
    useProfile: flag(names.useProfile),
    configDir: nonEmpty(names.configDir),
    xdgConfigHome: nonEmpty("XDG_CONFIG_HOME"),
    home: nonEmpty("HOME"),
    appData: nonEmpty("APPDATA"),
    ci: nonEmpty("CI").pipe(Config.map(Option.exists((s) => s !== "0" && s.toLowerCase() !== "false"))),
    keyring: nonEmpty(names.keyring).pipe(Config.map((o) => !Option.exists(o, (s) => ["0", "false", "no", "off"].includes(s.toLowerCase()))))
  })
  return settings
}).pipe(
  // Every value above is an optional string, so only a broken ConfigProvider can fail here.
  Effect.orDie
)
