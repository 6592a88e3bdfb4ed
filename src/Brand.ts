/**
 * The Brand: everything that makes a CLI built on latchkey *that* CLI rather than another —
 * its name, environment-variable prefix, config directory, API-key prefix and defaults.
 *
 * Nothing else in the code base hard-codes these: an embedder rebrands by providing their own
 * `Brand` layer (see `layer` and `make`).
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"

export interface BrandShape {
  /** The executable's name, as used in messages ("run `latchkey auth login`"). */
  readonly name: string
  /** Version shown by `--version`. */
  readonly version: string
  /** Prefix of every environment variable the CLI reads, e.g. `LATCHKEY_` → `LATCHKEY_API_KEY`. */
  readonly envPrefix: string
  /** Directory name under `$XDG_CONFIG_HOME` (or `~/.config`) that holds the profiles file. */
  readonly configDirName: string
  /** Every API key of this platform starts with this prefix; `set-key` refuses others. */
  readonly keyPrefix: string
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

/** latchkey's own reference brand. Its default API URL is where `latchkey sandbox` listens. */
export const latchkey: BrandShape = {
  name: "latchkey",
  version: "0.0.0-dev",
  envPrefix: "LATCHKEY_",
  configDirName: "latchkey",
  keyPrefix: "lk_",
  defaultApiUrl: "http://127.0.0.1:4477",
  defaultEnvironment: "default",
  keyringService: "latchkey",
  scopes: [],
  httpTimeoutMillis: 10_000
}

/** Build a brand from latchkey's defaults and the fields an embedder changes. */
export const make = (overrides: Partial<BrandShape>): BrandShape => ({ ...latchkey, ...overrides })

export const layer = (brand: BrandShape): Layer.Layer<Brand> => Layer.succeed(Brand, brand)
