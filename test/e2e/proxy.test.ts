/**
 * The built CLI behind a real forward proxy (tinyproxy on 127.0.0.1): plain http forwarded,
 * https tunnelled with CONNECT to a server whose certificate comes from a private CA trusted
 * through NODE_EXTRA_CA_CERTS, NO_PROXY honoured, proxy credentials sent and never printed.
 */
import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as Subprocess from "../support/Subprocess.js"
import * as Tinyproxy from "../support/Tinyproxy.js"
import * as Tls from "../support/Tls.js"
import { ALICE_ACME } from "../support/SandboxKeys.js"

let sandbox: Awaited<ReturnType<typeof Subprocess.startSandbox>>
let proxy: Tinyproxy.Tinyproxy
let ca: Tls.PrivateCa
/** An https front for the sandbox's API, with a certificate of the private CA; records what reached it. */
let front: { url: string; seen: Array<http.IncomingHttpHeaders>; close: () => void }

beforeAll(async () => {
  Subprocess.assertBuilt()
  ;[sandbox, proxy] = await Promise.all([Subprocess.startSandbox(), Tinyproxy.start()])
  ca = Tls.makePrivateCa()
  const seen: Array<http.IncomingHttpHeaders> = []
  const server = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    seen.push(req.headers)
    const upstream = http.request(`${sandbox.apiUrl}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(sandbox.apiUrl).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on("error", () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  front = { url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen, close: () => (server.closeAllConnections(), server.close()) }
})
afterAll(async () => {
  front?.close()
  await Promise.all([sandbox?.stop(), proxy?.stop()])
})

const user = (extra: Record<string, string>) => {
  const home = Subprocess.tempDir()
  const env = Subprocess.baseEnv({ HOME: home, LATCHKEY_CONFIG_DIR: path.join(home, "cfg"), ...extra })
  return (...args: Array<string>) => Subprocess.run(args, { env })
}

/** What the proxy logged while `f` ran. */
const logged = async <A>(f: () => Promise<A>): Promise<[A, string]> => {
  const before = proxy.log().length
  const result = await f()
  await new Promise((r) => setTimeout(r, 100))
  return [result, proxy.log().slice(before)]
}

describe("behind a proxy", () => {
  it("HTTP_PROXY: plain http to this machine never goes through a proxy (the key would leave it in cleartext)", async () => {
    const cli = user({ LATCHKEY_API_URL: sandbox.apiUrl, HTTP_PROXY: proxy.url })
    const [r, log] = await logged(() => cli("auth", "set-key", ALICE_ACME))
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, "Logged in as alice@example.com")
    assert.notInclude(log, sandbox.apiUrl)
    assert.notInclude(log, ALICE_ACME)
    // Not even a proxy that cannot be reached is tried.
    const dead = user({ LATCHKEY_API_URL: sandbox.apiUrl, HTTP_PROXY: "http://127.0.0.1:9" })
    const direct = await dead("auth", "set-key", ALICE_ACME)
    assert.strictEqual(direct.code, 0, direct.stderr)
  })

  it("NO_PROXY: a listed host is reached directly", async () => {
    const host = new URL(front.url).host
    const cli = user({ LATCHKEY_API_URL: front.url, https_proxy: proxy.url, NO_PROXY: "example.com, 127.0.0.1", NODE_EXTRA_CA_CERTS: ca.caFile })
    const [r, log] = await logged(() => cli("auth", "set-key", ALICE_ACME))
    assert.strictEqual(r.code, 0, r.stderr)
    assert.notInclude(log, host)
    // A proxy that cannot be reached shows the proxy was really in use without NO_PROXY.
    const dead = user({ LATCHKEY_API_URL: front.url, HTTPS_PROXY: "http://127.0.0.1:9", NODE_EXTRA_CA_CERTS: ca.caFile })
    const refused = await dead("auth", "set-key", ALICE_ACME)
    assert.strictEqual(refused.code, 1)
    assert.match(refused.stderr.trim(), /^latchkey: request to https:\/\/127\.0\.0\.1:\d+\/v1\/(?:me|projects|teams) failed: ECONNREFUSED through the proxy of HTTPS_PROXY \(127\.0\.0\.1:9\)$/, refused.stderr)
  })

  it("HTTPS_PROXY: https goes through a CONNECT tunnel; NODE_EXTRA_CA_CERTS trusts a private CA", async () => {
    const cli = user({ LATCHKEY_API_URL: front.url, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile })
    const seenBefore = front.seen.length
    const [r, log] = await logged(() => cli("auth", "set-key", ALICE_ACME))
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, "Logged in as alice@example.com")
    assert.include(log, `CONNECT ${front.url.slice("https://".length)} HTTP/1.1`)
    assert.isAbove(front.seen.length, seenBefore)
    // The proxy saw only the tunnel, never the request inside it.
    assert.notInclude(log, "/v1/me")
    assert.strictEqual(front.seen.at(-1)?.["proxy-authorization"], undefined)

    // Without the CA the certificate is refused, in one line.
    const untrusted = user({ LATCHKEY_API_URL: front.url, HTTPS_PROXY: proxy.url })
    const refused = await untrusted("auth", "set-key", ALICE_ACME)
    assert.strictEqual(refused.code, 1)
    assert.strictEqual(refused.stderr.trim().split("\n").length, 1, refused.stderr)
    assert.match(refused.stderr, /^latchkey: request to https:\/\/127\.0\.0\.1:\d+\/v1\/(?:me|projects|teams) failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE through the proxy of HTTPS_PROXY/, refused.stderr)
  })

  it("without a proxy, NODE_EXTRA_CA_CERTS is what makes the private CA trusted", async () => {
    const trusted = await user({ LATCHKEY_API_URL: front.url, NODE_EXTRA_CA_CERTS: ca.caFile })("auth", "set-key", ALICE_ACME)
    assert.strictEqual(trusted.code, 0, trusted.stderr)
    const refused = await user({ LATCHKEY_API_URL: front.url })("auth", "set-key", ALICE_ACME)
    assert.strictEqual(refused.code, 1)
    assert.strictEqual(refused.stderr.trim().split("\n").length, 1, refused.stderr)
    // Node 24 adds a hint about --use-system-ca to the reason.
    // set-key asks for /v1/me, /v1/projects and /v1/teams at once: whichever fails first is named.
    assert.match(refused.stderr, /^latchkey: request to https:\/\/127\.0\.0\.1:\d+\/v1\/(?:me|projects|teams) failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE \(unable to verify the first certificate/, refused.stderr)
  })

  it("proxy credentials: sent to the proxy, never printed", async () => {
    const guarded = await Tinyproxy.start({ basicAuth: { user: "corp", password: "hunter2" } })
    try {
      const at = (credentials: string) => guarded.url.replace("http://", `http://${credentials}@`)
      // Over CONNECT (plain http to this machine is never proxied; HttpTransport.test covers an
      // http proxy's credentials).
      for (const [scheme, api] of [["HTTPS_PROXY", front.url]] as const) {
        const ok = user({ LATCHKEY_API_URL: api, [scheme]: at("corp:hunter2"), NODE_EXTRA_CA_CERTS: ca.caFile })
        const r = await ok("auth", "set-key", ALICE_ACME)
        assert.strictEqual(r.code, 0, `${scheme}: ${r.stderr}`)
        const wrong = user({ LATCHKEY_API_URL: api, [scheme]: at("corp:wrong-hunter3"), NODE_EXTRA_CA_CERTS: ca.caFile })
        const refused = await wrong("auth", "set-key", ALICE_ACME)
        assert.notStrictEqual(refused.code, 0, scheme)
        assert.notInclude(refused.stdout + refused.stderr, "hunter")
      }
    } finally {
      await guarded.stop()
    }
  })
})
