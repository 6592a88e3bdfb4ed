/**
 * The transport against real servers on 127.0.0.1 that misbehave: oversized and endless bodies,
 * compression bombs, a slow drip past the deadline, redirects to other origins and to plain http.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import * as zlib from "node:zlib"
import { afterAll, assert, describe, it } from "vitest"
import * as HttpTransport from "../../src/HttpTransport.js"
import * as Http from "../../src/internal/http.js"
import * as Proxy from "../../src/internal/proxy.js"
import * as Tls from "../support/Tls.js"

const MiB = 1024 * 1024

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
}

/** A server on 127.0.0.1 that records what it saw and how many bytes each response wrote before its socket closed. */
const serve = async (handler: (req: http.IncomingMessage, res: http.ServerResponse) => void, tls?: Tls.PrivateCa) => {
  const seen: Array<Seen> = []
  const closed: Array<{ written: number; at: number }> = []
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers })
    handler(req, res)
  }
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, onRequest) : http.createServer(onRequest)
  server.on("connection", (socket: net.Socket) => socket.on("close", () => closed.push({ written: socket.bytesWritten, at: Date.now() })))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    seen,
    closed,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))
  }
}

const servers: Array<{ close: () => Promise<void> }> = []
const track = <S extends { close: () => Promise<void> }>(s: S) => (servers.push(s), s)
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

/** GET `url` through the transport and internal/http's `send` (deadline, one-line errors), as the services do. */
const get = (
  url: string,
  options: { maxBodyBytes?: number; timeout?: Duration.DurationInput; headers?: Record<string, string>; ca?: string; proxy?: Proxy.Settings } = {}
) =>
  Effect.runPromiseExit(
    Http.send(
      HttpTransport.make({ maxBodyBytes: options.maxBodyBytes, ca: options.ca ? [options.ca] : undefined, proxy: options.proxy }),
      Duration.decode(options.timeout ?? "5 seconds"),
      url,
      HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders(options.headers ?? {})),
      (response) => Effect.map(response.text, (text) => ({ status: response.status, text }))
    )
  )

const failure = (exit: Exit.Exit<unknown, { message: string }>): string => {
  if (Exit.isSuccess(exit)) assert.fail(`expected a failure, got ${JSON.stringify(exit.value).slice(0, 200)}`)
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (error === undefined) assert.fail(`expected a failure, got ${String(exit.cause)}`)
  return error.message
}

describe("bodies", () => {
  it("reads a body under the cap and asks for gzip, deflate and br", async () => {
    const server = track(await serve((_, res) => res.end(JSON.stringify({ ok: true }))))
    const exit = await get(`${server.url}/ok`)
    assert.deepStrictEqual(Exit.isSuccess(exit) && exit.value, { status: 200, text: "{\"ok\":true}" })
    assert.strictEqual(server.seen[0]?.headers["accept-encoding"], "gzip, deflate, br")
  })

  it("decodes gzip, deflate (zlib and raw) and br", async () => {
    const text = JSON.stringify({ hello: "world".repeat(1000) })
    const bodies: Record<string, [string, Buffer]> = {
      gzip: ["gzip", zlib.gzipSync(text)],
      deflate: ["deflate", zlib.deflateSync(text)],
      raw: ["deflate", zlib.deflateRawSync(text)],
      br: ["br", zlib.brotliCompressSync(text)]
    }
    const server = track(await serve((req, res) => {
      const [encoding, body] = bodies[req.url!.slice(1)]!
      res.writeHead(200, { "content-encoding": encoding, "content-length": body.length }).end(body)
    }))
    for (const name of Object.keys(bodies)) {
      const exit = await get(`${server.url}/${name}`)
      assert.isTrue(Exit.isSuccess(exit) && exit.value.text === text, name)
    }
  })

  it("refuses a declared oversized body without reading it: one line naming the URL and the cap", async () => {
    const server = track(await serve((_, res) => {
      res.writeHead(200, { "content-length": 2 * MiB })
      res.write(Buffer.alloc(64 * 1024))
    }))
    const message = failure(await get(`${server.url}/big`))
    assert.strictEqual(message, `request to ${server.url}/big failed: the response body is larger than the 1 MiB cap`)
  })

  it("stops reading an endless body (1.5 GB announced by no header) just past the cap and closes the socket", async () => {
    const total = 1.5 * 1024 * MiB
    const chunk = Buffer.alloc(64 * 1024, "x")
    const server = track(await serve((_, res) => {
      let sent = 0
      const pump = () => {
        while (sent < total && !res.destroyed) {
          sent += chunk.length
          if (!res.write(chunk)) return res.once("drain", pump)
        }
        res.end()
      }
      pump()
    }))
    const started = Date.now()
    const message = failure(await get(`${server.url}/stream`, { maxBodyBytes: MiB }))
    assert.include(message, "larger than the 1 MiB cap")
    assert.isBelow(Date.now() - started, 5_000)
    await waitFor(() => server.closed.length > 0)
    // What the server could write before its socket closed: the cap plus the kernel's buffers, not 1.5 GB.
    assert.isBelow(server.closed[0]!.written, 32 * MiB)
  })

  it("a gzip bomb does not inflate past the cap (8 MiB of zeros sent as ~8 KiB)", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(8 * MiB), { level: 9 })
    assert.isBelow(bomb.length, 16 * 1024)
    const br = zlib.brotliCompressSync(Buffer.alloc(8 * MiB), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })
    const server = track(await serve((req, res) => {
      const [encoding, body] = req.url === "/br" ? ["br", br] : ["gzip", bomb]
      res.writeHead(200, { "content-encoding": encoding, "content-length": body.length }).end(body)
    }))
    for (const name of ["gzip", "br"]) {
      const before = process.memoryUsage().arrayBuffers
      const message = failure(await get(`${server.url}/${name}`))
      assert.strictEqual(message, `request to ${server.url}/${name} failed: the response body is larger than the 1 MiB cap`)
      assert.isBelow(process.memoryUsage().arrayBuffers - before, 16 * MiB, name)
    }
  })

  it("the cap is a parameter of the layer", async () => {
    const server = track(await serve((_, res) => res.end("x".repeat(2048))))
    assert.include(failure(await get(server.url, { maxBodyBytes: 1024 })), "larger than the 1 KiB cap")
    assert.isTrue(Exit.isSuccess(await get(server.url, { maxBodyBytes: 4096 })))
  })
})

describe("deadline", () => {
  it("a body dripping past the deadline fails on time and its socket is closed", async () => {
    const server = track(await serve((_, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(" ")), 50)
    }))
    const started = Date.now()
    const message = failure(await get(`${server.url}/drip`, { timeout: "400 millis" }))
    assert.strictEqual(message, `request to ${server.url}/drip failed: no answer within 400ms`)
    await waitFor(() => server.closed.length > 0)
    assert.isBelow(server.closed[0]!.at - started, 2_000, "the server saw its socket closed soon after the deadline")
  })
})

describe("redirects", () => {
  it("follows none: Authorization never reaches the other origin", async () => {
    const other = track(await serve((_, res) => res.end("{}")))
    for (const status of [301, 302, 303, 307, 308]) {
      const origin = track(await serve((_, res) => res.writeHead(status, { location: `${other.url}/steal?x=1` }).end()))
      const message = failure(await get(`${origin.url}/v1/me`, { headers: { authorization: "Bearer lk_secret_token" } }))
      assert.strictEqual(message, `request to ${origin.url}/v1/me failed: the server redirected (${status}) to ${other.url}/steal; latchkey does not follow redirects`)
      assert.strictEqual(origin.seen[0]?.headers.authorization, "Bearer lk_secret_token")
    }
    assert.strictEqual(other.seen.length, 0, "the other origin was never contacted")
  })

  it("refuses a downgrade from https to http", async () => {
    const ca = Tls.makePrivateCa()
    const plain = track(await serve((_, res) => res.end("{}")))
    const secure = track(await serve((req, res) => {
      if (req.url === "/hello") return res.end("\"hi\"")
      res.writeHead(302, { location: `${plain.url}/token` }).end()
    }, ca))
    const ok = await get(`${secure.url}/hello`, { ca: ca.ca })
    assert.isTrue(Exit.isSuccess(ok) && ok.value.text === "\"hi\"", "the https server is reachable")
    const message = failure(await get(`${secure.url}/token`, { ca: ca.ca, headers: { authorization: "Bearer lk_secret_token" } }))
    assert.include(message, `redirected (302) to ${plain.url}/token; latchkey does not follow redirects`)
    assert.strictEqual(plain.seen.length, 0)
  })
})

describe("requests", () => {
  it("a header value with CR/LF is refused before sending, without quoting it", async () => {
    const server = track(await serve((_, res) => res.end("{}")))
    const token = "lk_secret\r\nX-Injected: 1"
    const direct = failure(await Effect.runPromiseExit(
      HttpTransport.make().execute(HttpClientRequest.get(server.url).pipe(HttpClientRequest.bearerToken(Redacted.make(token))))
    ))
    const viaSend = failure(await get(server.url, { headers: { authorization: `Bearer ${token}` } }))
    for (const message of [direct, viaSend]) assert.notInclude(message, "lk_secret")
    assert.include(viaSend, "authorization")
    assert.strictEqual(server.seen.length, 0)
  })

  it("is an HttpClient: POST bodies and status codes pass through", async () => {
    const server = track(await serve((req, res) => {
      let body = ""
      req.on("data", (d) => (body += d))
      req.on("end", () => res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ got: body, type: req.headers["content-type"] })))
    }))
    const response = await Effect.runPromise(
      Effect.flatMap(HttpClient.HttpClient, (client) =>
        client.execute(HttpClientRequest.post(`${server.url}/token`).pipe(HttpClientRequest.bodyUrlParams({ grant_type: "x", code: "y" })))
      ).pipe(Effect.flatMap((r) => Effect.map(r.json, (json) => ({ status: r.status, json }))), Effect.provide(HttpTransport.layer()))
    )
    assert.deepStrictEqual(response, { status: 400, json: { got: "grant_type=x&code=y", type: "application/x-www-form-urlencoded" } })
  })
})

describe("through a proxy", () => {
  it("sends the absolute URL and Proxy-Authorization to the proxy; a 407 names the proxy, not the password", async () => {
    const proxy = track(await serve((req, res) => {
      if (req.headers["proxy-authorization"] !== `Basic ${Buffer.from("corp:hunter2").toString("base64")}`) return res.writeHead(407).end()
      res.end(JSON.stringify({ via: "proxy", url: req.url }))
    }))
    const port = new URL(proxy.url).port
    const through = (credentials: string) =>
      Effect.runPromiseExit(Http.send(
        HttpTransport.make({ proxy: Proxy.fromEnv({ HTTP_PROXY: `http://${credentials}@127.0.0.1:${port}` }) }),
        Duration.seconds(5),
        "http://api.example.com/v1/me",
        HttpClientRequest.get("http://api.example.com/v1/me"),
        (response) => response.json
      ))
    const ok = await through("corp:hunter2")
    assert.deepStrictEqual(Exit.isSuccess(ok) && ok.value, { via: "proxy", url: "http://api.example.com/v1/me" })
    assert.strictEqual(proxy.seen[0]?.headers.host, "api.example.com")
    const message = failure(await through("corp:wrong-hunter3"))
    assert.strictEqual(message, `request to http://api.example.com/v1/me failed: the proxy of HTTP_PROXY (127.0.0.1:${port}) refused its credentials (407)`)
  })
})

describe("proxy settings", () => {
  const bypass = (noProxy: string, url: string) => {
    const u = new URL(url)
    return Proxy.bypass(noProxy, u.hostname, Number(u.port || (u.protocol === "https:" ? 443 : 80)))
  }

  it("NO_PROXY: suffixes, *, IPs and CIDR, ports, loopback only when listed", () => {
    const cases: Array<[string, string, boolean]> = [
      ["example.com", "https://example.com/x", true],
      ["example.com", "https://api.example.com/x", true],
      [".example.com", "https://api.example.com/x", true],
      [".example.com", "https://example.com/x", true],
      ["example.com", "https://notexample.com/x", false],
      ["example.com", "https://example.com.evil.org/x", false],
      ["EXAMPLE.com.", "https://Api.Example.COM./x", true],
      ["*", "https://anything.org", true],
      ["a.org, *", "https://anything.org", true],
      ["a.org b.org,,c.org", "https://b.org", true],
      ["10.0.0.0/8", "http://10.1.2.3:8080", true],
      ["10.0.0.0/8", "http://11.1.2.3", false],
      ["10.0.0.0/8", "http://10.example.com", false],
      ["192.168.1.5", "http://192.168.1.5", true],
      ["::1", "http://[::1]:4477", true],
      ["fd00::/8", "https://[fd12::1]", true],
      ["[::1]:4477", "http://[::1]:4477", true],
      ["[::1]:4477", "http://[::1]:4478", false],
      ["example.com:8443", "https://api.example.com:8443", true],
      ["example.com:8443", "https://api.example.com", false],
      ["example.com:443", "https://api.example.com", true],
      // curl proxies loopback unless it is listed.
      ["example.com", "http://127.0.0.1:4477", false],
      ["example.com", "http://localhost:4477", false],
      ["localhost,127.0.0.1", "http://127.0.0.1:4477", true],
      ["localhost,127.0.0.1", "http://localhost:4477", true],
      ["127.0.0.1", "http://localhost:4477", false]
    ]
    for (const [noProxy, url, expected] of cases) assert.strictEqual(bypass(noProxy, url), expected, `${noProxy} / ${url}`)
  })

  it("reads lower case first, ignores empty values, picks the variable by scheme", () => {
    const settings = Proxy.fromEnv({ HTTPS_PROXY: "http://upper:1", https_proxy: "http://lower:2", HTTP_PROXY: "proxy.corp:3128", no_proxy: " ", NO_PROXY: "x.org" })
    assert.deepStrictEqual(settings, { httpsProxy: "http://lower:2", httpProxy: "proxy.corp:3128", noProxy: "x.org" })
    assert.deepInclude(Proxy.forUrl(settings, new URL("https://api.example.com")), { host: "lower", port: 2, variable: "HTTPS_PROXY" })
    assert.deepInclude(Proxy.forUrl(settings, new URL("http://api.example.com")), { host: "proxy.corp", port: 3128, variable: "HTTP_PROXY" })
    assert.strictEqual(Proxy.forUrl(settings, new URL("https://x.org")), undefined)
    assert.strictEqual(Proxy.forUrl(Proxy.fromEnv({ HTTPS_PROXY: "" }), new URL("https://x.org")), undefined)
  })

  it("plain http to this machine is never proxied: it is allowed only because it does not leave the machine", () => {
    const settings = Proxy.fromEnv({ HTTP_PROXY: "proxy.corp:3128", HTTPS_PROXY: "proxy.corp:3128" })
    for (const url of ["http://127.0.0.1:4477/v1/me", "http://localhost:4477", "http://[::1]:4477", "http://127.3.2.1"]) {
      assert.strictEqual(Proxy.forUrl(settings, new URL(url)), undefined, url)
    }
    // https to this machine may go through a proxy's tunnel: TLS still ends at the server.
    assert.deepInclude(Proxy.forUrl(settings, new URL("https://127.0.0.1:8443")), { host: "proxy.corp", variable: "HTTPS_PROXY" })
    assert.deepInclude(Proxy.forUrl(settings, new URL("http://127.0.0.1.example.com")), { host: "proxy.corp", variable: "HTTP_PROXY" })
  })

  it("credentials of the proxy URL become Proxy-Authorization and appear in no message", () => {
    const proxy = Proxy.forUrl({ httpsProxy: "http://us%40er:p%3Ass@proxy:8080" }, new URL("https://x.org"))
    assert.deepInclude(proxy, { authorization: `Basic ${Buffer.from("us@er:p:ss").toString("base64")}` })
    for (const value of ["socks5://user:hunter2@proxy:1080", "https://user:hunter2@proxy:443", "http://user:hunter2@[bad", "http://user:%zz@proxy"]) {
      const error = Proxy.forUrl({ httpsProxy: value }, new URL("https://x.org"))
      assert.instanceOf(error, Proxy.ProxyConfigError)
      assert.notInclude((error as Error).message, "hunter2")
      assert.match((error as Error).message, /^HTTPS_PROXY/)
    }
  })
})

const waitFor = async (condition: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) assert.fail("condition not met in time")
    await new Promise((r) => setTimeout(r, 20))
  }
}

