/**
 * Where latchkey may send a credential (README, "`environments`"): `https:` anywhere; plain
 * `http:` only to this machine (127.0.0.0/8, `::1`, `localhost`), or to any host in an
 * environment added with `--allow-http`. One policy for every URL that can carry a secret: the
 * API URL (flag, environment variable, brand default, stored profile), the OpenID issuer (flag,
 * `/v1/cli/config`) and every endpoint the issuer's metadata names.
 *
 * ```ts
 * yield* Urls.checkTransport("http://api.example.com", { what: "--api-url", allowHttp: false, usage: true })
 * // fails: UsageError "--api-url http://api.example.com is plain http to another host, …"
 * ```
 */
import * as Either from "effect/Either"
import { Hint, InvalidInput, UsageError } from "./Errors.js"
import { sanitize, truncate } from "./internal/text.js"

/** 127.0.0.0/8, ::1 and `localhost`, as `URL.hostname` spells them (IPv4 normalized, IPv6 bracketed). */
export const isLoopback = (hostname: string): boolean => {
  const host = hostname.toLowerCase()
  return host === "localhost" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host)
}

/** Why a credential must not travel to `raw`, or `undefined` when it may. The whole policy. */
export const transportProblem = (raw: string, allowHttp: boolean): string | undefined => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return "is not an absolute URL"
  }
  if (url.protocol === "https:") return undefined
  if (url.protocol !== "http:") return "is not an http(s) URL"
  if (allowHttp || isLoopback(url.hostname)) return undefined
  return "is plain http to another host, which would send credentials in cleartext"
}

export interface TransportOptions {
  /** What the URL is, for the message: `--api-url`, `LATCHKEY_API_URL`, `the token endpoint`. */
  readonly what: string
  /** The environment was added with `--allow-http`. */
  readonly allowHttp: boolean
  /** The user typed or set it (exit 2); otherwise it came from a server or a stored file (exit 1). */
  readonly usage?: boolean
}

/** Right with `raw` when credentials may go there; otherwise Left with one line saying why and what to do. */
export const checkTransport = (
  raw: string,
  options: TransportOptions
): Either.Either<string, UsageError | InvalidInput> => {
  const problem = transportProblem(raw, options.allowHttp)
  if (problem === undefined) return Either.right(raw)
  const reason = `${options.what} ${JSON.stringify(truncate(sanitize(raw), 200))} ${problem}; use https`
  // Plain http to another host is allowed for an environment that opted in: the hint says how.
  const fields = problem.startsWith("is plain http") ? { reason, hint: Hint.AllowHttp() } : { reason }
  return Either.left(options.usage === true ? new UsageError(fields) : new InvalidInput(fields))
}

/** The URL-valued fields of an issuer's metadata (RFC 8414 §2, OpenID Connect Discovery §3). */
export interface EndpointMetadata {
  readonly issuer: string
  readonly token_endpoint: string
  readonly jwks_uri: string
  readonly device_authorization_endpoint?: string | undefined
  readonly revocation_endpoint?: string | undefined
  readonly userinfo_endpoint?: string | undefined
}

const ENDPOINTS = [
  ["issuer", "the issuer"],
  ["token_endpoint", "the token endpoint"],
  ["device_authorization_endpoint", "the device authorization endpoint"],
  ["revocation_endpoint", "the revocation endpoint"],
  ["jwks_uri", "the JWKS URI"],
  ["userinfo_endpoint", "the userinfo endpoint"]
] as const

/**
 * Check every endpoint an issuer's metadata names under the one policy, before any is used: a
 * provider reached over https must not send the device code or the tokens elsewhere in cleartext.
 */
export const checkMetadata = (
  metadata: EndpointMetadata,
  options: { readonly allowHttp: boolean }
): Either.Either<void, UsageError | InvalidInput> => {
  for (const [field, what] of ENDPOINTS) {
    const url = metadata[field]
    if (url === undefined) continue
    const checked = checkTransport(url, { what: `${what} in the provider's metadata`, allowHttp: options.allowHttp })
    if (Either.isLeft(checked)) return Either.left(checked.left)
  }
  return Either.right(undefined)
}
