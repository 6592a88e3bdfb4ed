/**
 * What `auth login` says about the provider's verification URLs: a refused one is named as
 * refused and never shown as a link, "Opened" only for a browser that opened, the code always.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Browser from "../../src/Browser.js"
import { codeLines } from "../../src/cli/auth/login.js"
import type * as DeviceLogin from "../../src/DeviceLogin.js"
import * as Drive from "../support/Drive.js"
import * as FakePlatform from "../support/FakePlatform.js"
import * as TestLayers from "../support/TestLayers.js"

const GOOD = "https://id.example.com/device"
const COMPLETE = `${GOOD}?user_code=ABCD-EFGH`

const info = (overrides: Partial<DeviceLogin.CodeInfo> = {}): DeviceLogin.CodeInfo => ({
  userCode: "ABCD-EFGH",
  verificationUri: GOOD,
  verificationUriComplete: Option.some(COMPLETE),
  expiresAt: 0,
  browserOpened: false,
  browser: Option.none(),
  ...overrides
})

describe("codeLines", () => {
  it("not asked to open: both URLs to open by hand", () => {
    assert.deepStrictEqual(codeLines(info()), [`Open ${GOOD} in a browser and enter the code, or open ${COMPLETE}.`])
  })

  it("opened: says so, with the URL the browser was given", () => {
    const browser = Option.some(Browser.OpenResult.Opened({ url: COMPLETE, command: "xdg-open" }))
    assert.deepStrictEqual(codeLines(info({ browser, browserOpened: true })), [`Opened ${COMPLETE} in your browser; approve the login there.`])
  })

  it("failed: why, then the URLs to open by hand; never Opened", () => {
    const browser = Option.some(Browser.OpenResult.Failed({ url: COMPLETE, reason: "`xdg-open` exited with status 3" }))
    assert.deepStrictEqual(codeLines(info({ browser })), [
      "Could not open a browser (`xdg-open` exited with status 3).",
      `Open ${GOOD} in a browser and enter the code, or open ${COMPLETE}.`
    ])
  })

  it("a failure reason from $BROWSER is printed without its control characters", () => {
    const browser = Option.some(Browser.OpenResult.Failed({ url: COMPLETE, reason: "`\u001b]0;x\u0007evil` was not found" }))
    assert.strictEqual(codeLines(info({ browser }))[0], "Could not open a browser (`evil` was not found).")
  })

  it("a refused complete URL: named as refused, not shown; the plain one still is", () => {
    const hostile = "--renderer-cmd-prefix=touch /tmp/pwned"
    const browser = Option.some(Browser.OpenResult.Refused({ reason: "it starts with -" }))
    const lines = codeLines(info({ verificationUriComplete: Option.some(hostile), browser }))
    assert.deepStrictEqual(lines, [
      "The provider's verification URL with the code was refused: it starts with -, as a command-line option would.",
      `Open ${GOOD} in a browser and enter the code.`
    ])
  })

  it("both refused: no link at all", () => {
    const lines = codeLines(info({ verificationUri: "javascript:alert(1)", verificationUriComplete: Option.some("file:///etc/passwd") }))
    assert.deepStrictEqual(lines.slice(0, 2), [
      "The provider's verification URL was refused: its scheme is javascript: and only https: is opened.",
      "The provider's verification URL with the code was refused: its scheme is file: and only https: is opened."
    ])
    assert.notInclude(lines.join("\n"), "/etc/passwd")
    assert.notInclude(lines.join("\n"), "Open ")
  })

  it("the plain URL refused, the complete one fine: only the complete one is shown", () => {
    const lines = codeLines(info({ verificationUri: "http://evil.example/" }))
    assert.strictEqual(lines.at(-1), `Open ${COMPLETE} in a browser.`)
    assert.notInclude(lines.join("\n"), "evil.example")
  })
})

describe("auth login with hostile verification URLs (in-process)", () => {
  const run = (verification: { uri: string; complete: string | null }, layers: TestLayers.Options = {}) =>
    Effect.gen(function*() {
      const platform = yield* FakePlatform.make({ verification })
      const t = yield* TestLayers.make({ http: platform.layer, ...layers, env: { LATCHKEY_API_URL: FakePlatform.API } })
      const code = yield* Drive.toEnd(t.cli("auth", "login", "--web"))
      return { code, err: t.recorded.stderr.join("\n"), opened: yield* t.opened }
    })

  it.effect("--web with a flag as the complete URL: nothing opened, refusal and code on stderr, login goes on", () =>
    Effect.gen(function*() {
      const r = yield* run({ uri: GOOD, complete: "--renderer-cmd-prefix=touch /tmp/pwned" })
      assert.strictEqual(r.code, 0)
      assert.deepStrictEqual(r.opened, [])
      assert.include(r.err, "! First copy your one-time code: ABCD-EFGH")
      assert.include(r.err, "The provider's verification URL with the code was refused: it starts with -")
      assert.include(r.err, `Open ${GOOD} in a browser and enter the code.`)
      assert.notInclude(r.err, "renderer-cmd-prefix")
      assert.notInclude(r.err, "Opened")
    }))

  it.effect("--web with a good URL: opened, and said so", () =>
    Effect.gen(function*() {
      const r = yield* run({ uri: GOOD, complete: COMPLETE })
      assert.deepStrictEqual(r.opened, [COMPLETE])
      assert.include(r.err, `Opened ${COMPLETE} in your browser; approve the login there.`)
    }))

  it.effect("without a complete URL, a hostile plain one is neither opened nor shown", () =>
    Effect.gen(function*() {
      const r = yield* run({ uri: "smb://evil.example/share", complete: null })
      assert.deepStrictEqual(r.opened, [])
      assert.include(r.err, "The provider's verification URL was refused: its scheme is smb:")
      assert.notInclude(r.err, "evil.example")
    }))
})
