/**
 * latchkey's one HTTP transport: `@effect/platform`'s `HttpClient` over `node:http` and
 * `node:https`, made for a command-line tool talking to servers it does not trust.
 *
 * - Starts fast: node:http (and node:https, node:tls, node:zlib) are loaded at the first request
 *   that needs them; global `fetch` loads undici, which costs more (scripts/bench-http.mjs).
 * - Proxies: `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` (and their lower-case forms), https through a
 *   CONNECT tunnel, credentials of the proxy URL sent as `Proxy-Authorization` (internal/proxy.ts).
 * - Caps every body: at most `maxBodyBytes` are read from the socket and at most `maxBodyBytes`
 *   come out of decoding it (gzip, deflate, br): past either, the socket is closed and the request
 *   fails with one line naming the cap. Nothing larger is ever held in memory.
 * - Follows no redirect: a 3xx fails, naming where it pointed. API calls and the OAuth endpoints
 *   never need one, and following one would re-send what the request carries — a bearer token in
 *   `Authorization`, a refresh token or device code in the POST body — to wherever a server says,
 *   possibly another origin or plain http.
 * - Interruption (the per-request deadline of internal/http.ts `send`) destroys the socket, so a
 *   server that drips its body slowly is cut off.
 * - Private CAs: `node:https` trusts the certificates of `NODE_EXTRA_CA_CERTS` besides its own.
 *
 * @example
 * ```ts
 * import * as HttpTransport from "latchkey/HttpTransport"
 * const http = HttpTransport.layer({ proxy: HttpTransport.proxyFromEnv(process.env) })
 * PlatformApi.layer.pipe(Layer.provide(http))
 * ```
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import type * as Https from "node:https"
import type * as Net from "node:net"
import type * as Tls from "node:tls"
import type * as Zlib from "node:zlib"
import * as Proxy from "./internal/proxy.js"
import { sanitize, truncate } from "./internal/text.js"

/** The default cap of a response body, compressed and decoded: ample for API and OAuth JSON. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export interface Options {
  /** Largest body accepted, counted both as read from the socket and once decoded. */
  readonly maxBodyBytes?: number | undefined
  /** Where the proxy variables point (`proxyFromEnv`); none by default. */
  readonly proxy?: Proxy.Settings | undefined
  /**
   * PEM certificates of the only CAs to trust, instead of Node's (for tests, or a deployment
   * that pins its CA). Users add a private CA with NODE_EXTRA_CA_CERTS instead.
   */
  readonly ca?: ReadonlyArray<string> | undefined
}

export type ProxySettings = Proxy.Settings

/** The proxy settings of an environment: `https_proxy`, `HTTPS_PROXY`, `http_proxy`, … */
export const proxyFromEnv: (env: Readonly<Record<string, string | undefined>>) => ProxySettings = Proxy.fromEnv

// RFC 9110 §5.1 token for names; §5.5 field values: visible ASCII, space, tab, obs-text.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

export const make = (options: Options = {}): HttpClient.HttpClient => {
  const maxBodyBytes = Math.max(1, Math.trunc(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES))
  const proxy = options.proxy ?? {}
  // Agents of its own, made at the first request, untouched by Node 24's NODE_USE_ENV_PROXY (it
  // applies to the global agents and would proxy a second time). No keep-alive: a CLI makes a few
  // requests, and a pooled socket the server closes just as a poll reuses it (Node servers close
  // idle ones after 5 s, the device-flow interval) fails a POST that must not be retried.
  const tlsOptions = options.ca === undefined ? {} : { ca: [...options.ca] }
  let httpAgent: Http.Agent | undefined
  let httpsAgent: Https.Agent | undefined
  // Each made at its first use: an http-only run never loads node:https and node:tls.
  const getAgents: Agents = {
    http: () => (httpAgent ??= new (builtin<typeof Http>("node:http").Agent)({ keepAlive: false })),
    https: () => (httpsAgent ??= new (builtin<typeof Https>("node:https").Agent)({ keepAlive: false, ...tlsOptions }))
  }
  return HttpClient.make((request, url) =>
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
      const abort = exchange(request, url, maxBodyBytes, proxy, getAgents, tlsOptions, resume)
      return Effect.sync(abort)
    })
  )
}

export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.sync(HttpClient.HttpClient, () => make(options))

// Built-in modules are loaded at the first request, not when the CLI starts.
const builtin = <A>(id: string): A => process.getBuiltinModule(id) as A

/** "1 MiB", "64 KiB", "100 bytes". */
export const formatBytes = (n: number): string =>
  n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`

interface Agents {
  readonly http: () => Http.Agent
  readonly https: () => Https.Agent
}

type Result = Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

/**
 * Send `request` and read its whole (capped) response; `done` is called once. Returns the
 * function that aborts everything in flight.
 */
const exchange = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  maxBodyBytes: number,
  settings: Proxy.Settings,
  agents: Agents,
  tlsOptions: { readonly ca?: Array<string> },
  done: (result: Result) => void
): (() => void) => {
  const resources: Array<{ destroy: () => void }> = []
  let finished = false
  const abort = () => {
    finished = true
    for (const r of resources) r.destroy()
  }
  /** The first outcome wins; a failure closes every socket of the exchange. */
  const settle = (result: Result, close: boolean) => {
    if (finished) return
    if (close) abort()
    finished = true
    done(result)
  }
  const fail = (reason: "Transport" | "Encode" | "InvalidUrl", cause: unknown) =>
    settle(Effect.fail(new HttpClientError.RequestError({ request, reason, cause, description: messageOf(cause) })), true)
  const failResponse = (response: BufferedResponse, reason: "StatusCode" | "Decode", cause: Error) =>
    settle(Effect.fail(new HttpClientError.ResponseError({ request, response, reason, cause, description: cause.message })), true)

  if (url.protocol !== "http:" && url.protocol !== "https:") {
    fail("InvalidUrl", new Error(`${sanitize(url.protocol.slice(0, 16))} URLs are not supported`))
    return abort
  }
  const body = request.body
  let payload: Uint8Array | string | undefined
  if (body._tag === "Uint8Array") payload = body.body
  else if (body._tag === "Raw" && (typeof body.body === "string" || body.body instanceof Uint8Array)) payload = body.body
  else if (body._tag !== "Empty") {
    fail("Encode", new Error("only in-memory request bodies are supported"))
    return abort
  }

  const https = url.protocol === "https:"
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
  const port = url.port === "" ? (https ? 443 : 80) : Number(url.port)
  const path = `${url.pathname}${url.search}`
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    // Checked here rather than left to node:http, whose error is only a code: a line break or a
    // control character in a header (a pasted token) is named by its header, never by its value.
    if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) {
      fail("Encode", new Error(`the ${HEADER_NAME.test(name) ? name : "a"} header holds characters that cannot be sent (a line break or control character); nothing was sent`))
      return abort
    }
    headers[name] = value
  }
  if (!Object.hasOwn(headers, "accept-encoding")) headers["accept-encoding"] = "gzip, deflate, br"

  const proxy = Proxy.isEmpty(settings) ? undefined : Proxy.forUrl(settings, url)
  if (proxy instanceof Proxy.ProxyConfigError) {
    fail("Transport", proxy)
    return abort
  }
  // Through a proxy, say so: "ECONNREFUSED" alone would blame the server. No `cause`, so that
  // callers that name an error's code show this whole line.
  const transportError = (cause: unknown) =>
    proxy === undefined
      ? cause
      : new Error(`${codeOf(cause)} through the proxy of ${proxy.variable} (${proxy.host}:${proxy.port})`)

  const onResponse = (res: Http.IncomingMessage) => {
    resources.push(res)
    const status = res.statusCode ?? 0
    const response = (bytes: Uint8Array) => new BufferedResponse(request, status, res.headers, bytes, res.socket?.remoteAddress)
    const tooLarge = () => failResponse(response(new Uint8Array()), "Decode", new Error(`the response body is larger than the ${formatBytes(maxBodyBytes)} cap`))
    if (status === 407 && proxy !== undefined) {
      return failResponse(response(new Uint8Array()), "StatusCode", new Error(`the proxy of ${proxy.variable} (${proxy.host}:${proxy.port}) refused its credentials (407)`))
    }
    if (status >= 300 && status < 400) {
      return failResponse(response(new Uint8Array()), "StatusCode", new Error(redirectMessage(status, res.headers.location, url)))
    }
    const declared = Number(res.headers["content-length"])
    if (Number.isFinite(declared) && declared > maxBodyBytes) return tooLarge()
    const encoding = (res.headers["content-encoding"] ?? "identity").trim().toLowerCase()
    if (!["identity", "gzip", "x-gzip", "deflate", "br", ""].includes(encoding)) {
      return failResponse(response(new Uint8Array()), "Decode", new Error(`unsupported content-encoding ${truncate(sanitize(encoding), 40)}`))
    }
    const chunks: Array<Buffer> = []
    let size = 0
    let ended = false
    res.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBodyBytes) return tooLarge()
      chunks.push(chunk)
    })
    res.on("error", (cause) => fail("Transport", cause))
    res.on("close", () => {
      if (!ended) fail("Transport", new Error("the connection closed before the response was complete"))
    })
    res.on("end", () => {
      ended = true
      if (finished) return
      const raw = Buffer.concat(chunks)
      let decoded: Buffer
      try {
        decoded = decode(encoding, raw, maxBodyBytes)
      } catch (cause) {
        if ((cause as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") return tooLarge()
        return failResponse(response(new Uint8Array()), "Decode", new Error(`could not decode the ${encoding} body: ${messageOf(cause)}`))
      }
      settle(Effect.succeed(response(decoded)), false)
    })
  }

  const send = (req: Http.ClientRequest) => {
    resources.push(req)
    req.on("response", onResponse)
    req.on("error", (cause) => fail("Transport", transportError(cause)))
    req.end(payload)
  }
  try {
    if (proxy === undefined) {
      const options = { host, port, path, method: request.method, headers }
      send(https
        ? builtin<typeof Https>("node:https").request({ ...options, agent: agents.https() })
        : builtin<typeof Http>("node:http").request({ ...options, agent: agents.http() }))
    } else if (!https) {
      // RFC 9112 §3.2.2: to a proxy, the request target is the absolute URL.
      const target = new URL(url.href)
      target.username = ""
      target.password = ""
      target.hash = ""
      send(builtin<typeof Http>("node:http").request({
        agent: agents.http(),
        host: proxy.host,
        port: proxy.port,
        path: target.href,
        method: request.method,
        headers: { ...headers, host: url.host, ...(proxy.authorization ? { "proxy-authorization": proxy.authorization } : {}) }
      }))
    } else {
      // RFC 9110 §9.3.6: a CONNECT tunnel to host:port, then TLS with the origin inside it.
      const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`
      const connect = builtin<typeof Http>("node:http").request({
        host: proxy.host,
        port: proxy.port,
        method: "CONNECT",
        path: authority,
        agent: false,
        headers: { host: authority, ...(proxy.authorization ? { "proxy-authorization": proxy.authorization } : {}) }
      })
      resources.push(connect)
      connect.on("error", (cause) => fail("Transport", transportError(cause)))
      connect.on("connect", (res: Http.IncomingMessage, socket: Net.Socket, head: Buffer) => {
        resources.push(socket)
        if (res.statusCode !== 200) {
          const why = res.statusCode === 407 ? "refused its credentials" : "refused the tunnel"
          return fail("Transport", new Error(`the proxy of ${proxy.variable} (${proxy.host}:${proxy.port}) ${why} to ${authority} (${res.statusCode})`))
        }
        if (head.length > 0) socket.unshift(head)
        const isIp = builtin<typeof Net>("node:net").isIP(host) !== 0
        const tls = builtin<typeof Tls>("node:tls").connect({ socket, host, ...(isIp ? {} : { servername: host }), ALPNProtocols: ["http/1.1"], ...tlsOptions })
        resources.push(tls)
        send(builtin<typeof Https>("node:https").request({ host, port, path, method: request.method, headers, createConnection: () => tls }))
      })
      connect.end()
    }
  } catch (cause) {
    // Node refuses a header value with CR, LF or NUL synchronously; its message names the header, not the value.
    fail("Transport", cause)
  }
  return abort
}

const decode = (encoding: string, raw: Buffer, maxBodyBytes: number): Buffer => {
  if (raw.length === 0 || encoding === "identity" || encoding === "") return raw
  const zlib = builtin<typeof Zlib>("node:zlib")
  // maxOutputLength stops inflating as soon as the output passes the cap: a bomb never expands.
  const options = { maxOutputLength: maxBodyBytes }
  if (encoding === "br") return zlib.brotliDecompressSync(raw, options)
  if (encoding === "deflate") {
    // RFC 9110 §8.4.1.2 means zlib-wrapped deflate; some servers send it raw, as browsers accept.
    return (raw[0]! & 0x0f) === 8 ? zlib.inflateSync(raw, options) : zlib.inflateRawSync(raw, options)
  }
  return zlib.gunzipSync(raw, options)
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const codeOf = (cause: unknown): string => {
  const code = (cause as { code?: unknown } | undefined)?.code
  return typeof code === "string" ? code : messageOf(cause)
}

const redirectMessage = (status: number, location: string | undefined, base: URL): string => {
  let where = "no location"
  if (location !== undefined) {
    try {
      const target = new URL(location, base)
      where = truncate(sanitize(`${target.origin}${target.pathname}`), 200)
    } catch {
      where = "an invalid location"
    }
  }
  return `the server redirected (${status}) to ${where}; latchkey does not follow redirects`
}

/** A response whose body was read whole, within the cap, and decoded. */
class BufferedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    private readonly source: Http.IncomingHttpHeaders,
    private readonly body: Uint8Array,
    private readonly remote: string | undefined
  ) {
    super()
  }

  get headers(): Headers.Headers {
    return Headers.fromInput(this.source as Record<string, string | ReadonlyArray<string>>)
  }

  get cookies(): Cookies.Cookies {
    const header = this.source["set-cookie"]
    return Array.isArray(header) ? Cookies.fromSetCookie(header) : Cookies.empty
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.remote)
  }

  private decodeError(cause: unknown) {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause, description: messageOf(cause) })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.sync(() => Buffer.from(this.body.buffer, this.body.byteOffset, this.body.byteLength).toString("utf8"))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => (text === "" ? null : JSON.parse(text) as unknown), catch: (cause) => this.decodeError(cause) }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: (cause) => this.decodeError(cause) }))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.sync(() => this.body.slice().buffer as ArrayBuffer)
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.succeed(this.body)
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.fail(this.decodeError(new Error("form-data responses are not supported")))
  }

  toJSON(): unknown {
    return { _id: "@effect/platform/HttpClientResponse", request: this.request.toJSON(), status: this.status }
  }
}
