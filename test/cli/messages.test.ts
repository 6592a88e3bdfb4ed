/**
 * A rebranded CLI with its own verb and flag names: the library's hints and notices come out in
 * its words, because only `src/cli/Messages.ts` turns them into text.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { run } from "../../src/cli/Cli.js"
import * as Messages from "../../src/cli/Messages.js"
import { Hint, InvalidInput, SessionExpired, UsageError } from "../../src/Errors.js"
import * as Notice from "../../src/Notice.js"
import { config, profile } from "../support/Configs.js"
import * as Drive from "../support/Drive.js"
import * as FakePlatform from "../support/FakePlatform.js"
import * as TestLayers from "../support/TestLayers.js"

/** inf's words: `inf login`, `inf auth set-key`, `--org`, … */
const infNames: Messages.Names = {
  ...Messages.names("inf"),
  login: "login",
  token: "auth set-key",
  use: "auth switch",
  list: "auth get",
  environmentsList: "env list",
  teamFlag: "--org",
  profileFlag: "--as"
}
const inf = Messages.make(infNames)

const setup = (options: TestLayers.Options = {}) =>
  Effect.gen(function*() {
    const platform = yield* FakePlatform.make()
    const t = yield* TestLayers.make({ http: platform.layer, brand: { name: "inf" }, ...options, env: { LATCHKEY_API_URL: FakePlatform.API, ...options.env } })
    const cli = (...argv: Array<string>) =>
      Effect.gen(function*() {
        t.recorded.stdout.length = 0
        t.recorded.stderr.length = 0
        return yield* Drive.toEnd(t.provide(run(argv).pipe(Effect.provideService(Messages.Messages, inf))))
      })
    return { t, cli, err: () => t.recorded.stderr.join("\n") }
  })

describe("a rebranded CLI renders hints and notices with its own verb names", () => {
  it.effect("not logged in: the hint names `inf login` and `inf auth set-key`", () =>
    Effect.gen(function*() {
      const { cli, err } = yield* setup()
      assert.strictEqual(yield* cli("auth", "print-token"), 4)
      assert.strictEqual(err(), "inf: not logged in; run `inf login` or `inf auth set-key`, or set an API key in the environment")
    }))

  it.effect("a profile without a credential, an unknown profile, profiles none of them current", () =>
    Effect.gen(function*() {
      const empty = yield* setup({
        config: config({ work: profile({ secretId: "s1", apiKey: undefined, session: undefined }) }, { currentProfile: "work" })
      })
      assert.strictEqual(yield* empty.cli("auth", "print-token"), 4)
      assert.strictEqual(empty.err(), "inf: profile work holds no credential; run `inf login --as work` or `inf auth set-key --as work`")
      assert.strictEqual(yield* empty.cli("auth", "use", "nope"), 1)
      assert.strictEqual(empty.err(), "inf: no profile named nope (see `inf auth get`)")
      const others = yield* setup({ config: config({ work: profile({ secretId: "s1" }) }, { currentProfile: null }) })
      assert.strictEqual(yield* others.cli("auth", "print-token"), 4)
      assert.strictEqual(
        others.err(),
        "inf: not logged in; no profile is current, but this environment has profile work: `inf auth switch work` makes it current, or run `inf login`"
      )
    }))

  it.effect("after a logout, the profile left to make current is named with the renamed verb", () =>
    Effect.gen(function*() {
      const { cli, err } = yield* setup({
        config: config({ work: profile({ secretId: "s1" }), home: profile({ secretId: "s2" }) }, { currentProfile: "work" })
      })
      assert.strictEqual(yield* cli("auth", "logout"), 0)
      assert.include(err(), "profile home remains in this environment: `inf auth switch home` makes it current")
    }))

  it.effect("the team a non-interactive login took: the notice names the renamed flag", () =>
    Effect.gen(function*() {
      const { cli, err } = yield* setup()
      assert.strictEqual(yield* cli("auth", "login"), 0)
      assert.include(err(), "Using team Acme Research (acme), the first of 2; pass --org to choose another (acme, globex)")
      assert.notInclude(err(), "--team")
    }))

  it("every hint and notice in another CLI's words names none of latchkey's verbs or flags", () => {
    const hints = [
      Hint.Login({}),
      Hint.Login({ profile: "work" }),
      Hint.MakeCurrent({ others: ["a", "b"] }),
      Hint.List({ of: "profiles" }),
      Hint.List({ of: "environments" }),
      Hint.NameProfile(),
      Hint.OtherProfileName(),
      Hint.InjectApiKeysOnly()
    ]
    const renamed = Messages.make({
      ...infNames,
      inject: "auth write-env",
      token: "auth set-key",
      projectsList: "projects ls",
      teamsList: "orgs ls",
      insecureStorageFlag: "--plaintext"
    })
    const texts = [
      ...hints.map((hint) => renamed.error(new InvalidInput({ reason: "r", hint }))),
      ...hints.map((hint) => renamed.error(new UsageError({ reason: "r", hint }))),
      renamed.error(new SessionExpired({ profile: "work" })),
      renamed.notice(Notice.Notice.KeyringFallback({ reason: "locked", file: "/f", disableVariable: "INF_KEYRING" })),
      renamed.notice(Notice.Notice.PlaintextChosen({ file: "/f", by: "option", variable: "INF_KEYRING" })),
      renamed.notice(Notice.Notice.TeamChosen({ team: { id: "t", slug: "acme", name: "Acme" }, of: 2, choices: ["acme", "b"] }))
    ]
    for (const text of texts) {
      assert.notMatch(text, /auth (login|token|use|list|inject)\b|environments get|--profile|--team|--insecure-storage/, text)
    }
    assert.include(texts.join("\n"), "--plaintext")
  })
})
