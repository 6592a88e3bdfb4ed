/**
 * Library code never prints and never names a verb: an embedder runs the use cases with its own
 * brand and layers, nothing reaches stdout or stderr from the library, and what it had to say
 * arrives as `Notice` values (and hints as data on the errors).
 */
import { assert, describe, it } from "@effect/vitest"
import { vi } from "vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { existsSync } from "node:fs"
import * as path from "node:path"
import * as Credentials from "../../src/Credentials.js"
import * as DeviceLogin from "../../src/DeviceLogin.js"
import * as Keyring from "../../src/Keyring.js"
import * as Notice from "../../src/Notice.js"
import { config, profile } from "../support/Configs.js"
import * as Drive from "../support/Drive.js"
import * as FakePlatform from "../support/FakePlatform.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"

/** An embedder's brand: its own name and variables; it renders nothing the library hands it. */
const inf = { name: "inf", envPrefix: "INF_" }

const loginInput: DeviceLogin.LoginInput = {
  profile: Option.none(),
  team: Option.none(),
  project: Option.none(),
  noSwitch: false,
  openBrowser: false,
  interactive: false,
  insecure: false
}
const hooks: DeviceLogin.Hooks = { onCode: () => Effect.void, whileWaiting: (wait) => wait }

/**
 * Run `effect` with every write to the process's stdout and stderr caught, besides the recording
 * Console of the test layers: a library that wrote to `process.stderr` itself would show here.
 */
const catchingWrites = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const written: Array<string> = []
      const spies = [process.stdout, process.stderr].map((stream) =>
        vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
          written.push(String(chunk))
          return true
        })
      )
      return { written, spies }
    }),
    ({ written }) => Effect.map(effect, (a) => ({ result: a, written })),
    ({ spies }) => Effect.sync(() => spies.forEach((s) => s.mockRestore()))
  )

describe("library code never prints", () => {
  it.scoped("a login that takes the first team and falls back to the plaintext file: notices, in order, and no output", () =>
    Effect.gen(function*() {
      const dir = yield* TempDir.make
      const platform = yield* FakePlatform.make()
      const t = yield* TestLayers.make({
        brand: inf,
        http: platform.layer,
        configDir: dir,
        keyring: Keyring.unavailable("no D-Bus here"),
        notices: "record",
        env: { INF_API_URL: FakePlatform.API, INF_CONFIG_DIR: dir }
      })
      // Each notice is delivered when it happens: the fallback before the plaintext file exists.
      const file = path.join(dir, "secrets.json")
      const seen: Array<{ readonly notice: Notice.Notice; readonly fileExisted: boolean }> = []
      const notices = { notify: (notice: Notice.Notice) => Effect.sync(() => void seen.push({ notice, fileExisted: existsSync(file) })) }
      const { result, written } = yield* catchingWrites(Drive.toEnd(
        t.provide(DeviceLogin.login(loginInput, hooks).pipe(Effect.provideService(Notice.Notices, notices)))
      ))
      assert.deepStrictEqual(written, [], "nothing written to the process's stdout or stderr")
      assert.strictEqual(result.team?.slug, "acme")
      assert.deepStrictEqual(seen.map((s) => s.notice), [
        Notice.Notice.TeamChosen({ team: result.team!, of: 2, choices: ["acme", "globex"] }),
        Notice.Notice.KeyringFallback({ reason: "no D-Bus here", file, disableVariable: "INF_KEYRING" })
      ])
      assert.deepStrictEqual(seen.map((s) => s.fileExisted), [false, false])
      assert.isTrue(existsSync(file), "the session went to the file after the notice")
      assert.deepStrictEqual(t.recorded, { stdout: [], stderr: [] }, "the library printed nothing itself")
    }))

  it.effect("an API key in the environment shadowing a stored profile: an EnvShadowsProfile notice, nothing printed", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({
        brand: inf,
        notices: "record",
        config: config({ work: profile({ secretId: "s1", apiUrl: "https://work.test" }) }, { currentProfile: "work" }),
        env: { INF_API_KEY: "lk_from_env" }
      })
      const { result: resolved, written } = yield* catchingWrites(t.provide(Credentials.resolve(Credentials.noFlags)))
      assert.strictEqual(resolved.storage, "env")
      assert.deepStrictEqual(written, [])
      assert.deepStrictEqual(t.notices, [
        Notice.Notice.EnvShadowsProfile({ variable: "INF_API_KEY", profile: "work", useProfileVariable: "INF_USE_PROFILE" })
      ])
      assert.deepStrictEqual(t.recorded, { stdout: [], stderr: [] })
    }))

  it.effect("not logged in: the error carries a Login hint, and its message names no verb of latchkey's", () =>
    Effect.gen(function*() {
      const t = yield* TestLayers.make({ brand: inf, notices: "record" })
      const error = yield* Effect.flip(t.provide(Credentials.resolve(Credentials.noFlags)))
      assert.strictEqual(error._tag, "NotAuthenticated")
      if (error._tag !== "NotAuthenticated") return
      assert.deepStrictEqual(error.hint, { _tag: "Login" })
      assert.strictEqual(error.message, "not logged in")
      assert.deepStrictEqual(t.recorded, { stdout: [], stderr: [] })
    }))
})
