import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as ApiKeyLogin from "../../src/ApiKeyLogin.js"
import * as Credentials from "../../src/Credentials.js"
import * as Keyring from "../../src/Keyring.js"
import * as MigrateSecrets from "../../src/MigrateSecrets.js"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"
import { LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

const KEY = "lk_sandbox_alice_acme_4f1c9a7e2b"

const setup = (keyring: typeof Keyring.Keyring.Service) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
    const dir = yield* TempDir.make
    const t = yield* TestLayers.make({ configDir: dir, keyring, env: { LATCHKEY_API_URL: sandbox.apiUrl } })
    const fileText = () => Effect.promise(() => fs.readFile(path.join(dir, "secrets.json"), "utf8").catch(() => ""))
    return { t, fileText }
  })

describe("auth migrate-secrets", () => {
  it.scoped("file → keyring → file, each step atomic; reads follow the profile", () =>
    Effect.gen(function*() {
      const memory = yield* Keyring.makeMemory
      const { fileText, t } = yield* setup(memory.keyring)
      yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(KEY), profile: Option.some("a"), project: Option.none(), insecure: true }))
      assert.include(yield* fileText(), KEY)
      assert.strictEqual(memory.entries.size, 0)

      const toKeyring = yield* t.provide(MigrateSecrets.migrate("keyring", Option.none()))
      assert.deepStrictEqual(toKeyring.map((r) => [r.profile, r.status, r.from]), [["a", "moved", ["file"]]])
      assert.notInclude(yield* fileText(), KEY)
      assert.deepStrictEqual([...memory.entries.values()], [KEY])
      assert.strictEqual((yield* t.config).profiles["a"]?.apiKey?.storage, "keyring")
      const resolved = yield* t.provide(Credentials.resolve(Credentials.noFlags))
      assert.deepStrictEqual([resolved.storage, Redacted.value(resolved.credential.token)], ["keyring", KEY])

      const again = yield* t.provide(MigrateSecrets.migrate("keyring", Option.none()))
      assert.strictEqual(again[0]!.status, "already there")

      yield* t.provide(MigrateSecrets.migrate("file", Option.some("a")))
      assert.include(yield* fileText(), KEY)
      assert.strictEqual(memory.entries.size, 0)
    }))

  it.scoped("an unreachable keyring fails that profile and leaves it exactly as it was", () =>
    Effect.gen(function*() {
      const { fileText, t } = yield* setup(Keyring.unavailable("no D-Bus"))
      yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(KEY), profile: Option.some("a"), project: Option.none(), insecure: true }))
      const before = yield* t.config
      const results = yield* t.provide(MigrateSecrets.migrate("keyring", Option.none()))
      assert.deepStrictEqual(results.map((r) => r.status), ["failed"])
      assert.include(results[0]!.error ?? "", "no D-Bus")
      assert.deepStrictEqual(yield* t.config, before)
      assert.include(yield* fileText(), KEY)
    }))

  it.scoped("re-storing a key moves it out of its old store: no stale copy can shadow it", () =>
    Effect.gen(function*() {
      const memory = yield* Keyring.makeMemory
      const { fileText, t } = yield* setup(memory.keyring)
      yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(KEY), profile: Option.some("a"), project: Option.none(), insecure: false }))
      assert.strictEqual(memory.entries.size, 1)
      yield* t.provide(ApiKeyLogin.setKey({ key: Redacted.make(KEY), profile: Option.some("a"), project: Option.none(), insecure: true }))
      assert.strictEqual(memory.entries.size, 0, "the keyring copy is gone")
      assert.include(yield* fileText(), KEY)
      assert.strictEqual((yield* t.config).profiles["a"]?.apiKey?.storage, "file")
    }))
})
