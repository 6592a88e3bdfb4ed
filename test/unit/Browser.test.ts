/**
 * The browser opener: which URLs may be opened at all, how `$BROWSER` becomes an argv, and when
 * an opener counts as having opened (exit 0, or still running after the wait, on the TestClock).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Browser from "../../src/Browser.js"

const HOSTILE = [
  "javascript:alert(1)",
  "file:///etc/passwd",
  "smb://x/y",
  "--renderer-cmd-prefix=touch /tmp/pwned",
  "--renderer-cmd-prefix=touch",
  "-x",
  "http://evil.example/",
  "http://127.0.0.1.evil.example/",
  "http://localhost.evil.example/",
  "https://u:p@host.example/",
  "https://u@host.example/",
  "https://host.example/\u001b]0;x\u0007",
  "https://host.example/\u202eexe.txt",
  " https://x.example",
  "https://x.example/\n",
  "https://x.example/a b",
  `https://x.example/${"a".repeat(10_000)}`,
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "/device?user_code=X",
  "device",
  "",
  "ftp://x.example/",
  "chrome://settings"
]

const ALLOWED: ReadonlyArray<[string, string]> = [
  ["https://id.example.com/device?user_code=ABCD-EFGH", "https://id.example.com/device?user_code=ABCD-EFGH"],
  ["HTTPS://ID.example.com/device", "https://id.example.com/device"],
  ["http://127.0.0.1:8080/device", "http://127.0.0.1:8080/device"],
  ["http://127.1.2.3/device", "http://127.1.2.3/device"],
  ["http://localhost:3000/device", "http://localhost:3000/device"],
  ["http://[::1]:3000/device", "http://[::1]:3000/device"],
  // What the opener gets is the parsed URL, serialised: the one a browser would load.
  ["HTTPS:/\\x.example", "https://x.example/"]
]

describe("checkUrl", () => {
  for (const url of HOSTILE) {
    it(`refuses ${JSON.stringify(url.slice(0, 60))}`, () => {
      const checked = Browser.checkUrl(url)
      assert.isTrue(Either.isLeft(checked), `accepted ${url.slice(0, 60)}`)
    })
  }

  for (const [url, href] of ALLOWED) {
    it(`accepts ${url}`, () => {
      const checked = Browser.checkUrl(url)
      assert.strictEqual(Either.getOrThrow(checked).href, href)
    })
  }

  it("says why, in words a user can act on", () => {
    const why = (url: string) => Either.getLeft(Browser.checkUrl(url)).pipe(Option.getOrThrow)
    assert.include(why("javascript:alert(1)"), "javascript:")
    assert.include(why("--renderer-cmd-prefix=touch /tmp/pwned"), "starts with -")
    assert.include(why("http://evil.example/"), "loopback")
    assert.include(why("https://u:p@host.example/"), "user name or password")
    assert.include(why(`https://x.example/${"a".repeat(10_000)}`), `${Browser.MAX_URL} characters`)
    assert.include(why("https://host.example/\u001b]0;x\u0007"), "control characters")
    assert.include(why("/device"), "not an absolute URL")
  })
})

describe("$BROWSER", () => {
  const parse = (value: string, platform: NodeJS.Platform = "linux") => Either.getOrThrow(Browser.parseBrowserEnv(value, platform))

  it("is split into words as a POSIX shell would, without expanding anything", () => {
    assert.deepStrictEqual(parse("firefox"), [["firefox"]])
    assert.deepStrictEqual(parse("  open  -a   Firefox "), [["open", "-a", "Firefox"]])
    assert.deepStrictEqual(parse(`"/opt/My Browser/bin" --new-window`), [["/opt/My Browser/bin", "--new-window"]])
    assert.deepStrictEqual(parse(`'/opt/it'"'"'s' x`), [["/opt/it's", "x"]])
    assert.deepStrictEqual(parse(`a\\ b "c\\"d" 'e\\f'`), [["a b", "c\"d", "e\\f"]])
    assert.deepStrictEqual(parse(`echo $HOME $(id) \`id\` ; rm`), [["echo", "$HOME", "$(id)", "`id`", ";", "rm"]])
    assert.deepStrictEqual(parse(`x ''`), [["x", ""]])
  })

  it("is a :-separated list of alternatives on POSIX, not on Windows", () => {
    assert.deepStrictEqual(parse("w3m '%s':open -a Firefox"), [["w3m", "%s"], ["open", "-a", "Firefox"]])
    assert.deepStrictEqual(parse("firefox::':'"), [["firefox"], [":"]])
    assert.deepStrictEqual(parse("C:\\Browsers\\ff.exe -new", "win32"), [["C:\\Browsers\\ff.exe", "-new"]])
  })

  it("an unterminated quote is a reason not to run anything", () => {
    assert.isTrue(Either.isLeft(Browser.parseBrowserEnv(`firefox "oops`, "linux")))
  })

  it("the URL is one argument: it replaces a word %s, else goes last", () => {
    const url = "https://x.example/?a=1&b=$(id);c"
    assert.deepStrictEqual(Browser.argv(["firefox", "--new-window"], url), ["firefox", "--new-window", url])
    assert.deepStrictEqual(Browser.argv(["w3m", "%s", "-o", "x"], url), ["w3m", url, "-o", "x"])
    assert.deepStrictEqual(Browser.argv(["b", "--app=%s"], url), ["b", "--app=%s", url])
  })
})

/** A spawn that records each call and answers from a script, on the TestClock. */
const fakeSpawn = (answers: Array<Effect.Effect<Browser.Outcome>>) => {
  const calls: Array<ReadonlyArray<string>> = []
  const spawn: Browser.Spawn = (command, args) =>
    Effect.suspend(() => {
      calls.push([command, ...args])
      return answers.shift() ?? Effect.succeed(exited(0))
    })
  return { calls, spawn }
}

const exited = (code: number | null, signal: string | null = null) => Browser.Outcome.Exited({ code, signal })

const opener = (answers: Array<Effect.Effect<Browser.Outcome>>, browserEnv?: string, platform: NodeJS.Platform = "linux") => {
  const fake = fakeSpawn(answers)
  return { ...fake, browser: Browser.make({ browserEnv: Option.fromNullable(browserEnv), platform, spawn: fake.spawn }) }
}

const URL_OK = "https://id.example.com/device?user_code=ABCD-EFGH"

describe("open", () => {
  it.effect("a hostile URL runs nothing and is Refused", () =>
    Effect.gen(function*() {
      for (const url of HOSTILE) {
        const { browser, calls } = opener([])
        const result = yield* browser.open(url)
        assert.strictEqual(result._tag, "Refused")
        assert.deepStrictEqual(calls, [])
      }
    }))

  it.effect("xdg-open exiting 0 is Opened; the URL is its own argument", () =>
    Effect.gen(function*() {
      const { browser, calls } = opener([Effect.succeed(exited(0))])
      const result = yield* browser.open(URL_OK)
      assert.deepStrictEqual(result, Browser.OpenResult.Opened({ url: URL_OK, command: "xdg-open" }))
      assert.deepStrictEqual(calls, [["xdg-open", URL_OK]])
    }))

  it.effect("each platform's own opener, never through a shell", () =>
    Effect.gen(function*() {
      const mac = opener([Effect.succeed(exited(0))], undefined, "darwin")
      yield* mac.browser.open(URL_OK)
      const win = opener([Effect.succeed(exited(0))], undefined, "win32")
      yield* win.browser.open(URL_OK)
      assert.deepStrictEqual([...mac.calls, ...win.calls], [["open", URL_OK], ["rundll32", "url.dll,FileProtocolHandler", URL_OK]])
    }))

  it.effect("xdg-open exiting 3, /bin/false, a signal, a missing command: Failed with why", () =>
    Effect.gen(function*() {
      const cases: Array<[Browser.Outcome, string | undefined, string]> = [
        [exited(3), undefined, "`xdg-open` exited with status 3"],
        [exited(1), "/bin/false", "`/bin/false` exited with status 1"],
        [exited(null, "SIGKILL"), "firefox", "`firefox` was ended by SIGKILL"],
        [Browser.Outcome.NotStarted({ reason: "was not found" }), "nosuch", "`nosuch` was not found"]
      ]
      for (const [outcome, env, reason] of cases) {
        const { browser } = opener([Effect.succeed(outcome)], env)
        assert.deepStrictEqual(yield* browser.open(URL_OK), Browser.OpenResult.Failed({ url: URL_OK, reason }))
      }
    }))

  it.effect("an opener still running after the wait has opened; one that fails within it has not", () =>
    Effect.gen(function*() {
      const stays = opener([Effect.never], "firefox")
      const fiber = yield* Effect.fork(stays.browser.open(URL_OK))
      yield* TestClock.adjust(Duration.subtract(Browser.EXIT_WAIT, Duration.millis(1)))
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "still waiting for an exit status")
      yield* TestClock.adjust(Duration.millis(1))
      assert.deepStrictEqual(yield* Fiber.join(fiber), Browser.OpenResult.Opened({ url: URL_OK, command: "firefox" }))

      const slowFail = opener([Effect.as(Effect.sleep(Duration.subtract(Browser.EXIT_WAIT, Duration.millis(10))), exited(3))])
      const failing = yield* Effect.fork(slowFail.browser.open(URL_OK))
      yield* TestClock.adjust(Browser.EXIT_WAIT)
      assert.strictEqual((yield* Fiber.join(failing))._tag, "Failed")
    }))

  it.effect("the wait is over: the opener is let go, not killed", () =>
    Effect.gen(function*() {
      const released = yield* Deferred.make<void>()
      const { browser } = opener([Effect.onInterrupt(Effect.never, () => Deferred.succeed(released, undefined))], "firefox")
      const fiber = yield* Effect.fork(browser.open(URL_OK))
      yield* TestClock.adjust(Browser.EXIT_WAIT)
      assert.strictEqual((yield* Fiber.join(fiber))._tag, "Opened")
      assert.isTrue(yield* Deferred.isDone(released))
    }))

  it.effect("$BROWSER alternatives are tried in turn until one opens", () =>
    Effect.gen(function*() {
      const { browser, calls } = opener(
        [Effect.succeed(Browser.Outcome.NotStarted({ reason: "was not found" })), Effect.succeed(exited(1)), Effect.succeed(exited(0))],
        "nosuch:/bin/false:w3m '%s' -o x"
      )
      const result = yield* browser.open(URL_OK)
      assert.deepStrictEqual(result, Browser.OpenResult.Opened({ url: URL_OK, command: "w3m" }))
      assert.deepStrictEqual(calls, [["nosuch", URL_OK], ["/bin/false", URL_OK], ["w3m", URL_OK, "-o", "x"]])

      const none = opener([Effect.succeed(exited(1)), Effect.succeed(exited(2))], "a:b")
      assert.deepStrictEqual(
        yield* none.browser.open(URL_OK),
        Browser.OpenResult.Failed({ url: URL_OK, reason: "`a` exited with status 1; `b` exited with status 2" })
      )
    }))

  it.effect("an empty $BROWSER means the platform's opener; an unusable one runs nothing", () =>
    Effect.gen(function*() {
      const empty = opener([Effect.succeed(exited(0))], "   ")
      assert.strictEqual((yield* empty.browser.open(URL_OK))._tag, "Opened")
      assert.deepStrictEqual(empty.calls, [["xdg-open", URL_OK]])
      const broken = opener([], `firefox "x`)
      assert.strictEqual((yield* broken.browser.open(URL_OK))._tag, "Failed")
      assert.deepStrictEqual(broken.calls, [])
    }))

  it.effect("no argument given to an opener for any URL starts with -", () =>
    Effect.gen(function*() {
      for (const url of [...HOSTILE, ...ALLOWED.map(([u]) => u)]) {
        const { browser, calls } = opener([Effect.succeed(exited(0))], "recorder")
        yield* browser.open(url)
        for (const call of calls) for (const arg of call.slice(1)) assert.isFalse(arg.startsWith("-"), arg)
      }
    }))
})

describe("spawnNode (the live spawn)", () => {
  it.effect("reports exit statuses and a missing command", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Browser.spawnNode("/bin/sh", ["-c", "exit 3"]), exited(3))
      assert.deepStrictEqual(yield* Browser.spawnNode("/bin/true", []), exited(0))
      assert.deepStrictEqual(
        yield* Browser.spawnNode("/nonexistent/latchkey-browser", []),
        Browser.Outcome.NotStarted({ reason: "was not found" })
      )
    }), 10_000)
})
