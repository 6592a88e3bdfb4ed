/**
 * The Brand: everything that makes a CLI built on latchkey *that* CLI rather than another —
 * its name, the names of its environment variables, its config location, API-key prefix and
 * defaults.
 *
 * Nothing else in the code base hard-codes these: an embedder rebrands by providing their own
 * `Brand` layer (see `layer` and `make`).
 *
 * ```ts
 * // Every variable from one prefix: INF_API_KEY, INF_API_URL, INF_PROJECT_ID, …; none for profiles.
 * Brand.make({
 *   name: "inf", envPrefix: "INF_", env: { profile: undefined, useProfile: undefined },
 *   config: ConfigLocation.homeFile(".inf/config.json"), keyPrefix: "sk-inference-"
 * })
 * // Each variable named on its own; a variable left out (undefined) is never read.
 * Brand.make({
 *   name: "llamactl",
 *   env: {
 *     apiKey: "LLAMA_CLOUD_API_KEY", projectId: "LLAMA_AGENTS_PROJECT_ID", apiUrl: "LLAMA_CLOUD_BASE_URL",
 *     useProfile: "LLAMA_CLOUD_USE_PROFILE", profile: undefined, configDir: undefined, keyring: undefined
 *   },
 *   config: ConfigLocation.osConfigDir("llamactl"), keyPrefix: undefined
 * })
 * ```
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as ConfigLocation from "./ConfigLocation.js"

/** The settings a brand may read from the environment. */
export type EnvVariable = "apiKey" | "projectId" | "apiUrl" | "profile" | "useProfile" | "configDir" | "keyring"

export const ENV_VARIABLES: ReadonlyArray<EnvVariable> = ["apiKey", "projectId", "apiUrl", "profile", "useProfile", "configDir", "keyring"]

/** The name of each variable, or `undefined` for one the brand leaves out (never read). */
export type EnvNames = { readonly [K in EnvVariable]: string | undefined }

export interface BrandShape {
  /** The executable's name, as used in messages ("run `latchkey auth login`"). */
  readonly name: string
  /** Version shown by `--version`. */
  readonly version: string
  /** The environment variables the CLI reads, by setting (`apiKey: "LATCHKEY_API_KEY"`). */
  readonly env: EnvNames
  /** Where the config file is; the secrets file sits beside it. */
  readonly config: ConfigLocation.ConfigLocation
  /** Every API key of this platform starts with this prefix, and `set-key` refuses others; none: no check. */
  readonly keyPrefix: string | undefined
  /** API URL of the built-in environment. */
  readonly defaultApiUrl: string
  /** Name of the built-in environment. */
  readonly defaultEnvironment: string
  /** Service name under which secrets are filed in the OS keyring. */
  readonly keyringService: string
  /** Extra OAuth scopes requested at login, besides `openid offline_access`. */
  readonly scopes: ReadonlyArray<string>
  /** Upper bound for any single request to the platform API. */
  readonly httpTimeoutMillis: number
}

export class Brand extends Context.Tag("latchkey/Brand")<Brand, BrandShape>() {}

/** Every variable as one prefix plus latchkey's suffixes: `INF_` → `INF_API_KEY`, `INF_PROFILE`, … */
export const envFromPrefix = (prefix: string): EnvNames => ({
  apiKey: `${prefix}API_KEY`,
  projectId: `${prefix}PROJECT_ID`,
  apiUrl: `${prefix}API_URL`,
  profile: `${prefix}PROFILE`,
  useProfile: `${prefix}USE_PROFILE`,
  configDir: `${prefix}CONFIG_DIR`,
  keyring: `${prefix}KEYRING`
})

/** latchkey's own reference brand. Its default API URL is where `latchkey sandbox` listens. */
export const latchkey: BrandShape = {
  name: "latchkey",
  version: "0.0.0-dev",
  env: envFromPrefix("LATCHKEY_"),
  config: ConfigLocation.xdgConfigDir("latchkey"),
  keyPrefix: "lk_",
  defaultApiUrl: "http://127.0.0.1:4477",
  defaultEnvironment: "default",
  keyringService: "latchkey",
  scopes: [],
  httpTimeoutMillis: 10_000
}

export interface MakeOptions extends Partial<Omit<BrandShape, "env">> {
  /** Derive every variable's name from this prefix (latchkey's `LATCHKEY_` by default). */
  readonly envPrefix?: string
  /** Names that differ from the prefix's; `undefined` leaves a variable out. */
  readonly env?: Partial<EnvNames>
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/

/**
 * Build a brand from latchkey's defaults and the fields an embedder changes. A name that is not
 * a portable variable name (letters, digits, `_`), or a config location the `ConfigLocation`
 * constructors would refuse, throws: it is a bug in the embedder's code.
 */
export const make = (options: MakeOptions = {}): BrandShape => {
  const { envPrefix, env, ...rest } = options
  const names: EnvNames = { ...(envPrefix === undefined ? latchkey.env : envFromPrefix(envPrefix)), ...env }
  for (const key of ENV_VARIABLES) {
    const name = names[key]
    if (name !== undefined && !VARIABLE_NAME.test(name)) {
      throw new Error(`Brand.make: ${key} is named ${JSON.stringify(name)}, which is not a variable name`)
    }
  }
  if (rest.config !== undefined) ConfigLocation.check(rest.config)
  return { ...latchkey, ...rest, env: names }
}

export const layer = (brand: BrandShape): Layer.Layer<Brand> => Layer.succeed(Brand, brand)
