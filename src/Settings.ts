/**
 * Settings read from the environment, named through the Brand's prefix
 * (`LATCHKEY_API_KEY`, `LATCHKEY_PROFILE`, …). Read with `Config`, so tests set them through a
 * `ConfigProvider` instead of mutating `process.env`.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Brand } from "./Brand.js"

export interface EnvSettings {
  readonly apiKey: Option.Option<Redacted.Redacted>
  readonly projectId: Option.Option<string>
  readonly apiUrl: Option.Option<string>
  readonly profile: Option.Option<string>
  /** `<PREFIX>USE_PROFILE=1`: ignore credentials from the environment. */
  readonly useProfile: boolean
  readonly configDir: Option.Option<string>
  readonly xdgConfigHome: Option.Option<string>
  readonly home: Option.Option<string>
  /** `CI` is set: never prompt. */
  readonly ci: boolean
  /** False when `<PREFIX>KEYRING=0`: secrets go to the plaintext file without trying the keyring. */
  readonly keyring: boolean
}

/** The names of the brand's variables, for messages and documentation. */
export const variableNames = (prefix: string) => ({
  apiKey: `${prefix}API_KEY`,
  projectId: `${prefix}PROJECT_ID`,
  apiUrl: `${prefix}API_URL`,
  profile: `${prefix}PROFILE`,
  useProfile: `${prefix}USE_PROFILE`,
  configDir: `${prefix}CONFIG_DIR`,
  keyring: `${prefix}KEYRING`
})

/** Empty variables count as unset: `LATCHKEY_API_KEY= cmd` must not authenticate with "". */
const nonEmpty = (name: string) =>
  Config.string(name).pipe(
    Config.option,
    Config.map(Option.flatMap((s) => {
      const trimmed = s.trim()
      return trimmed.length > 0 ? Option.some(trimmed) : Option.none()
    }))
  )

const flag = (name: string) =>
  nonEmpty(name).pipe(Config.map(Option.exists((s) => ["1", "true", "yes", "on"].includes(s.toLowerCase()))))

export const read: Effect.Effect<EnvSettings, never, Brand> = Effect.gen(function*() {
  const brand = yield* Brand
  const names = variableNames(brand.envPrefix)
  const settings = yield* Config.all({
    apiKey: nonEmpty(names.apiKey).pipe(Config.map(Option.map(Redacted.make))),
    projectId: nonEmpty(names.projectId),
    apiUrl: nonEmpty(names.apiUrl),
    profile: nonEmpty(names.profile),
    useProfile: flag(names.useProfile),
    configDir: nonEmpty(names.configDir),
    xdgConfigHome: nonEmpty("XDG_CONFIG_HOME"),
    home: nonEmpty("HOME"),
    ci: nonEmpty("CI").pipe(Config.map(Option.exists((s) => s !== "0" && s.toLowerCase() !== "false"))),
    keyring: nonEmpty(names.keyring).pipe(Config.map((o) => !Option.exists(o, (s) => ["0", "false", "no", "off"].includes(s.toLowerCase()))))
  })
  return settings
}).pipe(
  // Every value above is an optional string, so only a broken ConfigProvider can fail here.
  Effect.orDie
)
