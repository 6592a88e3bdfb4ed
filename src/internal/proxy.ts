/**
 * Which proxy, if any, a request goes through: `https_proxy`/`HTTPS_PROXY` for https URLs,
 * `http_proxy`/`HTTP_PROXY` for http URLs, unless `no_proxy`/`NO_PROXY` lists the host. The rules
 * are curl's (lib/noproxy.c): a comma- or blank-separated list; `*` matches every host; an entry
 * matches the host itself and every name under it (`example.com` and `.example.com` both match
 * `api.example.com`); an IP address matches that address, or a network in CIDR notation
 * (`10.0.0.0/8`, `fd00::/8`); a trailing dot is ignored. Like curl, loopback hosts are not
 * special: list `localhost,127.0.0.1,::1` to reach them directly. Beyond curl, an entry may name a
 * port (`example.com:8443`, `[::1]:4477`) and then matches that port only.
 */
import type * as Net from "node:net"
import { isLoopback } from "../Urls.js"

export interface Settings {
  readonly httpsProxy?: string | undefined
  readonly httpProxy?: string | undefined
  readonly noProxy?: string | undefined
}

/** A proxy to use: where it listens and the `Proxy-Authorization` its URL's user:pass gives. */
export interface Proxy {
  readonly host: string
  readonly port: number
  readonly authorization: string | undefined
  /** The variable it came from, to name in messages (never the URL: it may hold a password). */
  readonly variable: string
}

/** The settings from an environment, lower case first as curl reads them. */
export const fromEnv = (env: Readonly<Record<string, string | undefined>>): Settings => ({
  httpsProxy: env["https_proxy"]?.trim() || env["HTTPS_PROXY"]?.trim() || undefined,
  httpProxy: env["http_proxy"]?.trim() || env["HTTP_PROXY"]?.trim() || undefined,
  noProxy: env["no_proxy"]?.trim() || env["NO_PROXY"]?.trim() || undefined
})

export const isEmpty = (settings: Settings): boolean =>
  settings.httpsProxy === undefined && settings.httpProxy === undefined

const net = () => process.getBuiltinModule("node:net") as typeof Net

const unbracket = (host: string) => (host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host)

/** Whether `no_proxy` says to reach `hostname`:`port` directly. */
export const bypass = (noProxy: string | undefined, hostname: string, port: number): boolean => {
  if (noProxy === undefined) return false
  const host = unbracket(hostname).toLowerCase().replace(/\.$/, "")
  const family = net().isIP(host)
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (raw === "") continue
    if (raw === "*") return true
    let entry = raw.toLowerCase()
    let entryPort: number | undefined
    const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry)
    if (bracketed) {
      entry = bracketed[1]!
      entryPort = bracketed[2] === undefined ? undefined : Number(bracketed[2])
    } else {
      const hostPort = /^([^:]+):(\d{1,5})$/.exec(entry)
      if (hostPort) (entry = hostPort[1]!, entryPort = Number(hostPort[2]))
    }
    if (entryPort !== undefined && entryPort !== port) continue
    if (family !== 0) {
      if (matchAddress(entry, host, family)) return true
    } else {
      const name = entry.replace(/^\*?\./, "").replace(/\.$/, "")
      if (name !== "" && (host === name || host.endsWith(`.${name}`))) return true
    }
  }
  return false
}

const matchAddress = (entry: string, host: string, family: number): boolean => {
  const slash = entry.indexOf("/")
  const address = slash < 0 ? entry : entry.slice(0, slash)
  const type = family === 6 ? "ipv6" : "ipv4"
  if (net().isIP(address) !== family) return false
  const bits = slash < 0 ? (family === 6 ? 128 : 32) : Number(entry.slice(slash + 1))
  if (!Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) return false
  const list = new (net().BlockList)()
  list.addSubnet(address, bits, type)
  return list.check(host, type)
}

export class ProxyConfigError extends Error {}

/**
 * The proxy for `url`, `undefined` to connect directly, or a `ProxyConfigError` for a variable
 * that is not an http:// proxy URL. A value without a scheme is taken as http://, as curl does.
 */
export const forUrl = (settings: Settings, url: URL): Proxy | undefined | ProxyConfigError => {
  const https = url.protocol === "https:"
  const value = https ? settings.httpsProxy : settings.httpProxy
  if (value === undefined) return undefined
  // Plain http is allowed only to this machine (Urls.ts), on the premise that it never leaves it:
  // through a proxy it would, credentials and all, to whatever the proxy calls 127.0.0.1.
  if (!https && isLoopback(url.hostname)) return undefined
  const port = url.port === "" ? (https ? 443 : 80) : Number(url.port)
  if (bypass(settings.noProxy, url.hostname, port)) return undefined
  const variable = https ? "HTTPS_PROXY" : "HTTP_PROXY"
  let proxy: URL
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`)
  } catch {
    return new ProxyConfigError(`${variable} is not a valid proxy URL`)
  }
  if (proxy.protocol !== "http:") {
    return new ProxyConfigError(`${variable}: only http:// proxies are supported, not ${proxy.protocol.slice(0, 16)}`)
  }
  let authorization: string | undefined
  if (proxy.username !== "" || proxy.password !== "") {
    try {
      const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
      authorization = `Basic ${Buffer.from(credentials).toString("base64")}`
    } catch {
      return new ProxyConfigError(`${variable}: the user name or password is not valid percent-encoding`)
    }
  }
  return { host: unbracket(proxy.hostname), port: proxy.port === "" ? 80 : Number(proxy.port), authorization, variable }
}
