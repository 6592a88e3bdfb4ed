// A config dir with a stored API key (current profile "key") and a session profile ("session")
// with a valid cached access token. Nothing in it needs the network. Shared by the benchmark and
// the start-up tests.
import { randomUUID } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

export const KEY = "lk_bench_0123456789abcdef"
export const TOKEN = "bench-access-token"

export const write = (configDir) => {
  mkdirSync(configDir, { recursive: true, mode: 0o700 })
  const [keyId, sessionId] = [randomUUID(), randomUUID()]
  const now = new Date().toISOString()
  const user = { id: "usr_bench", email: "bench@example.com", name: "Bench" }
  const apiUrl = "http://127.0.0.1:9"
  writeFileSync(join(configDir, "config.json"), JSON.stringify({
    version: 1,
    currentEnvironment: "default",
    currentProfile: "key",
    environments: { default: { apiUrl } },
    profiles: {
      key: { environment: "default", apiUrl, secretId: keyId, user, apiKey: { storage: "file", hint: "lk_****cdef" }, project: { id: "prj_1", name: "One" }, createdAt: now, updatedAt: now },
      session: {
        environment: "default",
        apiUrl,
        secretId: sessionId,
        user,
        session: { storage: "file", issuer: apiUrl, clientId: "cli", subject: "usr_bench", tokenEndpoint: `${apiUrl}/token` },
        createdAt: now,
        updatedAt: now
      }
    }
  }), { mode: 0o600 })
  writeFileSync(join(configDir, "secrets.json"), JSON.stringify({
    version: 1,
    secrets: {
      [`${keyId}/api-key`]: KEY,
      [`${sessionId}/session`]: JSON.stringify({ accessToken: TOKEN, refreshToken: "r", expiresAt: Date.now() + 24 * 3600_000 })
    }
  }), { mode: 0o600 })
}
