/**
 * `auth login --web` with the built CLI against a tiny local OpenID provider whose device
 * authorization answers hostile verification URLs, and with openers that fail. `$BROWSER` is a
 * stand-in for Chromium that records its argv and, like Chromium, runs the command given in a
 * `--renderer-cmd-prefix=` argument: if a provider's URL ever reached it as a flag, the file
 * `pwned` would appear.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"

const tmp = Subprocess.tempDir()
const PWNED = path.join(tmp, "pwned")
const USER_CODE = "WDJB-MJHT"
const GOOD = "https://id.example.com/device"

/** One login per case, told apart by the path: `/api/<case>` is the platform, `/idp/<case>` its issuer. */
interface Case {
  readonly uri: string
  readonly complete?: string
}
const cases = new Map<string, Case>()
let server: http.Server
let base = ""

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

beforeAll(async () => {
  Subprocess.assertBuilt()
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", base)
    const [, kind, id, ...rest] = url.pathname.split("/")
    const c = cases.get(id ?? "")
    const route = `${req.method} ${kind}/${rest.join("/")}`
    req.resume()
    if (c === undefined) return json(res, 404, { error: "not_found" })
    const issuer = `${base}/idp/${id}`
    switch (route) {
      case "GET api/v1/cli/config":
        return json(res, 200, { issuer, clientId: "cli" })
      case "GET idp/.well-known/openid-configuration":
        return json(res, 200, {
          issuer,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          device_authorization_endpoint: `${issuer}/device`
        })
      case "POST idp/device":
        return json(res, 200, {
          device_code: `dc-${id}`,
          user_code: USER_CODE,
          verification_uri: c.uri,
          ...(c.complete === undefined ? {} : { verification_uri_complete: c.complete }),
          expires_in: 60,
          interval: 1
        })
      case "POST idp/token":
        return json(res, 400, { error: "access_denied" })
      default:
        return json(res, 404, { error: "not_found" })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

const pids: Array<number> = []
afterAll(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
  await new Promise((resolve) => server?.close(resolve))
})

/** Chromium's stand-in: records each argument on its own line in $RECORD_LOG, and runs a --renderer-cmd-prefix= as Chromium would. */
const recorder = (() => {
  const file = path.join(tmp, "fake-chromium")
  fs.writeFileSync(
    file,
    [
      "#!/bin/sh",
      "for a in \"$@\"; do printf '%s\\n' \"$a\" >> \"$RECORD_LOG\"; done",
      "for a in \"$@\"; do case \"$a\" in --renderer-cmd-prefix=*) sh -c \"${a#--renderer-cmd-prefix=}\";; esac; done",
      "exit 0",
      ""
    ].join("\n"),
    { mode: 0o755 }
  )
  return file
})()

let n = 0
const login = async (c: Case, env: Record<string, string>) => {
  const id = `c${++n}`
  cases.set(id, c)
  const home = path.join(tmp, `home-${id}`)
  fs.mkdirSync(home)
  const started = Date.now()
  const result = await Subprocess.run(["auth", "login", "--web"], {
    env: Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: path.join(home, "cfg"), LATCHKEY_API_URL: `${base}/api/${id}`, ...env })
  })
  return { ...result, seconds: (Date.now() - started) / 1000 }
}

const recorded = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => l !== "") : null)

describe.concurrent("a provider's verification URL never runs anything", () => {
  const hostile: ReadonlyArray<[string, Case]> = [
    ["a Chromium flag that runs a command", { uri: GOOD, complete: `--renderer-cmd-prefix=touch ${PWNED}` }],
    ["a flag as the only URL", { uri: `--renderer-cmd-prefix=touch ${PWNED}` }],
    ["-x", { uri: "-x" }],
    ["javascript:", { uri: GOOD, complete: "javascript:alert(1)" }],
    ["file:", { uri: GOOD, complete: "file:///etc/passwd" }],
    ["smb:", { uri: GOOD, complete: "smb://evil.example/share" }],
    ["data:", { uri: GOOD, complete: "data:text/html,<script>alert(1)</script>" }],
    ["vbscript:", { uri: GOOD, complete: "vbscript:msgbox(1)" }],
    ["http: to a remote host", { uri: GOOD, complete: "http://evil.example/device" }],
    ["credentials in the URL", { uri: GOOD, complete: "https://user:pass@evil.example/device" }],
    ["a relative URL", { uri: GOOD, complete: "/device?user_code=X" }],
    ["a leading space", { uri: GOOD, complete: " https://evil.example/" }]
  ]

  for (const [name, c] of hostile) {
    it(`${name}: the opener never runs; the URL is named as refused, the code still shown`, async () => {
      const log = path.join(tmp, `log-${name.replace(/\W+/g, "-")}`)
      const r = await login(c, { BROWSER: recorder, RECORD_LOG: log })
      assert.strictEqual(r.code, 1, r.stderr)
      assert.isNull(recorded(log), `the opener ran with: ${recorded(log)?.join(" ")}`)
      assert.isFalse(fs.existsSync(PWNED), "a command ran")
      assert.include(r.stderr, `! First copy your one-time code: ${USER_CODE}`)
      assert.match(r.stderr, /The provider's verification URL( with the code)? was refused: /)
      assert.notInclude(r.stderr, "Opened")
      assert.notInclude(r.stderr, "evil.example")
      assert.notInclude(r.stderr, "renderer-cmd-prefix")
      assert.notInclude(r.stderr, "/etc/passwd")
      if (c.complete !== undefined) assert.include(r.stderr, `Open ${GOOD} in a browser and enter the code.`)
      assert.include(r.stderr, "the login was denied in the browser")
    })
  }

  it("escape sequences in the URL never reach the opener or the terminal", async () => {
    const log = path.join(tmp, "log-escape")
    const r = await login({ uri: GOOD, complete: "https://evil.example/\u001b]0;pwned\u0007\u001b[2J" }, { BROWSER: recorder, RECORD_LOG: log })
    assert.notInclude(r.stderr, "\u001b")
    assert.notInclude(r.stderr, "\u0007")
    for (const arg of recorded(log) ?? []) assert.notMatch(arg, /[\u0000-\u001f]/)
  })

  it("a 10 KB URL is not opened", async () => {
    const log = path.join(tmp, "log-long")
    const r = await login({ uri: GOOD, complete: `https://evil.example/${"a".repeat(10_000)}` }, { BROWSER: recorder, RECORD_LOG: log })
    assert.isNull(recorded(log))
    assert.notInclude(r.stderr, "Opened")
    assert.notInclude(r.stderr, "a".repeat(2_000))
  })
})

describe.concurrent("Opened only when the opener succeeded", () => {
  const complete = `${GOOD}?user_code=${USER_CODE}`

  it("$BROWSER split into words, exiting 0: Opened, the URL one argument", async () => {
    const log = path.join(tmp, "log-ok")
    const r = await login({ uri: GOOD, complete }, { BROWSER: `'${recorder}' --new-window`, RECORD_LOG: log })
    assert.include(r.stderr, `Opened ${complete} in your browser; approve the login there.`)
    assert.deepStrictEqual(recorded(log), ["--new-window", complete])
  })

  it("BROWSER=/bin/false: not Opened; why, and the URL to open by hand", async () => {
    const r = await login({ uri: GOOD, complete }, { BROWSER: "/bin/false" })
    assert.notInclude(r.stderr, "Opened")
    assert.include(r.stderr, "Could not open a browser (`/bin/false` exited with status 1).")
    assert.include(r.stderr, `Open ${GOOD} in a browser and enter the code, or open ${complete}.`)
  })

  it("xdg-open exiting 3 (no $BROWSER): not Opened", async () => {
    const bin = path.join(tmp, "bin")
    fs.mkdirSync(bin, { recursive: true })
    const ran = path.join(tmp, "xdg-open-ran")
    fs.writeFileSync(path.join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${ran}'\nexit 3\n`, { mode: 0o755 })
    const r = await login({ uri: GOOD, complete }, { PATH: `${bin}:/usr/bin:/bin` })
    assert.deepStrictEqual(recorded(ran), [complete], "the stand-in xdg-open was the opener")
    assert.notInclude(r.stderr, "Opened")
    assert.include(r.stderr, "Could not open a browser (`xdg-open` exited with status 3).")
    assert.include(r.stderr, `or open ${complete}.`)
  })

  it("a missing opener: not Opened", async () => {
    const r = await login({ uri: GOOD, complete }, { BROWSER: path.join(tmp, "no-such-browser") })
    assert.notInclude(r.stderr, "Opened")
    assert.include(r.stderr, "was not found).")
  })

  it("a browser that keeps running counts as opened, and the CLI does not wait for it", async () => {
    const pidFile = path.join(tmp, "browser-pid")
    const r = await login({ uri: GOOD, complete }, { BROWSER: `sh -c 'echo $$ > ${pidFile}; exec sleep 30' sh` })
    if (fs.existsSync(pidFile)) pids.push(Number(fs.readFileSync(pidFile, "utf8")))
    assert.include(r.stderr, `Opened ${complete} in your browser`)
    assert.strictEqual(r.code, 1, r.stderr)
    assert.isBelow(r.seconds, 20, "the CLI ended long before the browser")
  })
})
