/** Builders for config files in tests. */
import * as Brand from "../../src/Brand.js"
import * as ConfigStore from "../../src/ConfigStore.js"

export const brand = Brand.make({ version: "0.0.0-test" })

export const profile = (overrides: Partial<ConfigStore.Profile> = {}): ConfigStore.Profile => ({
  environment: "default",
  apiUrl: "https://profile.test",
  secretId: overrides.secretId ?? `secret-${Math.random().toString(36).slice(2)}`,
  user: { id: "usr_alice", email: "alice@example.com" },
  apiKey: { storage: "memory", hint: "lk_****abcd" },
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...overrides
})

export const config = (
  profiles: Record<string, ConfigStore.Profile>,
  overrides: Partial<ConfigStore.ConfigFile> = {}
): ConfigStore.ConfigFile => ({
  ...ConfigStore.empty(brand),
  profiles,
  ...overrides
})

/** The `session` part of a profile that logged in through the device flow. */
export const session = (overrides: Partial<NonNullable<ConfigStore.Profile["session"]>> = {}) => ({
  storage: "memory" as const,
  issuer: "https://issuer.test",
  clientId: "cli",
  subject: "usr_alice",
  tokenEndpoint: "https://issuer.test/token",
  revocationEndpoint: "https://issuer.test/token/revocation",
  ...overrides
})
