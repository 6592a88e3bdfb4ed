/**
 * The OAuth 2.0 / OpenID Connect client: discovery (OpenID Connect Discovery 1.0), device
 * authorization (RFC 8628 §3.1–3.2), token requests (RFC 6749 §5, RFC 8628 §3.4), revocation
 * (RFC 7009) and the JWKS, over whatever `HttpClient` is provided. Every response is decoded
 * with a Schema that bounds its numbers and tokens (see "Limits on what servers send" in the
 * README). The provider's refusals (`{"error": …}`, or any other non-2xx, non-5xx answer) and
 * answers that do not decode are `ProtocolError` values; only what another try could fix
 * (transport failures, timeouts, 5xx) fails with `ApiError`.
 *
 * @example
 * const oauth = yield* OAuthClient
 * const answer = yield* oauth.token(endpoint, { grant_type: "refresh_token", refresh_token, client_id })
 * if (Either.isLeft(answer)) console.log(answer.left.detail) // "invalid_grant (…)", "HTTP 400 with an empty body"
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Brand } from "./Brand.js"
import { ApiError } from "./Errors.js"
import * as http from "./internal/http.js"
import { cleanString } from "./internal/schemas.js"
import { sanitize, truncate } from "./internal/text.js"

// ---------------------------------------------------------------------------------------------
// Bounds on what a provider may send. Every number and every secret string is checked as it is
// decoded; an answer outside them is refused with one line naming the field and the rule, never
// the value (it may be a secret).

/** RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default." */
export const DEFAULT_INTERVAL_SECONDS = 5
/** Polling interval of the device flow, in seconds: 0 would poll in a busy loop, hours would never finish. */
export const INTERVAL_SECONDS = { min: 1, max: 60 } as const
/** Lifetime of a device code, in seconds (providers use 5 to 30 minutes). */
export const DEVICE_CODE_EXPIRES_IN_SECONDS = { min: 1, max: 3600 } as const
/** Lifetime of an access token, in seconds: at most a year. */
export const TOKEN_EXPIRES_IN_SECONDS = { min: 1, max: 365 * 24 * 3600 } as const
/** Longest token (access, refresh, ID token, device code) latchkey keeps or sends: 16 KiB. */
export const MAX_TOKEN_LENGTH = 16 * 1024
/** Longest provider text (`error_description`, a refusal's body) that reaches a message. */
export const MAX_PROVIDER_TEXT = 200
/** Longest URL a provider may announce. */
export const MAX_URL_LENGTH = 2048

const seconds = (bounds: { readonly min: number; readonly max: number }) =>
  Schema.Number.pipe(Schema.int(), Schema.between(bounds.min, bounds.max))

const ruleOfSeconds = (bounds: { readonly min: number; readonly max: number }) =>
  `an integer number of seconds from ${bounds.min} to ${bounds.max}`

/** RFC 6750 §2.1 b64token: what may follow `Bearer ` in an Authorization header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
/** RFC 6749 Appendix A VSCHAR (%x20-7E): refresh tokens and device codes, never a control character. */
const VSCHARS = /^[\x20-\x7e]+$/

const tokenString = (pattern: RegExp) =>
  Schema.String.pipe(Schema.minLength(1), Schema.maxLength(MAX_TOKEN_LENGTH), Schema.pattern(pattern))

/** A URL a provider announces; its scheme and host are checked where it is used. */
const Url = Schema.String.pipe(Schema.maxLength(MAX_URL_LENGTH))

/** Provider text that may reach a message: sanitized and cut, never refused for its length. */
export const ProviderText = Schema.transform(Schema.String, Schema.String, {
  strict: true,
  decode: (s) => providerText(s),
  encode: (s) => s
})

/** `text` made printable: escape sequences and control characters removed, at most 200 characters. */
export const providerText = (text: string): string => truncate(sanitize(text).trim(), MAX_PROVIDER_TEXT)

/** RFC 6749 §7.1, RFC 6750: latchkey sends tokens only as Bearer tokens; the type is case-insensitive. */
const BearerType = Schema.String.pipe(Schema.filter((s) => s.toLowerCase() === "bearer"))

export const Metadata = Schema.Struct({
  issuer: Url,
  token_endpoint: Url,
  jwks_uri: Url,
  device_authorization_endpoint: Schema.optional(Url),
  revocation_endpoint: Schema.optional(Url),
  /** RFC 8414 §2: how a client must authenticate to revoke; without `none`, a public client cannot. */
  revocation_endpoint_auth_methods_supported: Schema.optional(Schema.Array(cleanString(100)).pipe(Schema.maxItems(50))),
  userinfo_endpoint: Schema.optional(Url)
})
export type Metadata = typeof Metadata.Type

/** RFC 8628 §3.2. */
export const DeviceAuthorization = Schema.Struct({
  device_code: tokenString(VSCHARS),
  user_code: cleanString(256),
  verification_uri: Url,
  verification_uri_complete: Schema.optional(Url),
  expires_in: seconds(DEVICE_CODE_EXPIRES_IN_SECONDS),
  interval: Schema.optional(seconds(INTERVAL_SECONDS))
})
export type DeviceAuthorization = typeof DeviceAuthorization.Type

/** RFC 6749 §5.1. */
export const TokenResponse = Schema.Struct({
  access_token: tokenString(B64TOKEN),
  token_type: BearerType,
  expires_in: Schema.optional(seconds(TOKEN_EXPIRES_IN_SECONDS)),
  refresh_token: Schema.optional(tokenString(VSCHARS)),
  id_token: Schema.optional(tokenString(VSCHARS)),
  scope: Schema.optional(cleanString(4096))
})
export type TokenResponse = typeof TokenResponse.Type

/**
 * RFC 6749 §5.2. Only `error` must be a string: a description of another type is dropped rather
 * than making `authorization_pending` unreadable.
 */
export const ErrorResponse = Schema.Struct({
  error: cleanString(200),
  error_description: Schema.optional(Schema.Union(ProviderText, Schema.transform(Schema.Unknown, Schema.Undefined, {
    strict: true,
    decode: () => undefined,
    encode: (u) => u
  })))
})
export type ErrorResponse = typeof ErrorResponse.Type

export const Jwks = Schema.Struct({ keys: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })).pipe(Schema.maxItems(100)) })
export type Jwks = typeof Jwks.Type

/** What each field must be, for the one line that refuses an answer (the value is never shown). */
const RULES = new Map<string, string>([
  ["issuer", `a URL of at most ${MAX_URL_LENGTH} characters`],
  ["token_endpoint", `a URL of at most ${MAX_URL_LENGTH} characters`],
  ["jwks_uri", `a URL of at most ${MAX_URL_LENGTH} characters`],
  ["device_authorization_endpoint", `a URL of at most ${MAX_URL_LENGTH} characters`],
  ["revocation_endpoint", `a URL of at most ${MAX_URL_LENGTH} characters`],
  ["userinfo_endpoint", `a URL of at most ${MAX_URL_LENGTH} characters`],
  ["verification_uri", `a URL of at most ${MAX_URL_LENGTH} characters`],
  ["verification_uri_complete", `a URL of at most ${MAX_URL_LENGTH} characters`],
  ["revocation_endpoint_auth_methods_supported", "a list of at most 50 names"],
  ["device_code", `a string of 1 to ${MAX_TOKEN_LENGTH} printable ASCII characters`],
  ["user_code", "a string of at most 256 characters"],
  ["interval", `${ruleOfSeconds(INTERVAL_SECONDS)} (RFC 8628 §3.2)`],
  ["access_token", `a string of 1 to ${MAX_TOKEN_LENGTH} characters allowed in a Bearer header (RFC 6750 §2.1)`],
  ["token_type", "Bearer (RFC 6749 §7.1; latchkey sends tokens only as Bearer tokens)"],
  ["refresh_token", `a string of 1 to ${MAX_TOKEN_LENGTH} printable ASCII characters`],
  ["id_token", `a string of 1 to ${MAX_TOKEN_LENGTH} printable ASCII characters`],
  ["scope", "a string of at most 4096 characters"],
  ["keys", "a list of at most 100 keys"]
])

/** `expires_in` means a device code's life in one answer and an access token's in another. */
const expiresInRule = (schema: Schema.Schema.AnyNoContext) =>
  schema === DeviceAuthorization
    ? `${ruleOfSeconds(DEVICE_CODE_EXPIRES_IN_SECONDS)} (RFC 8628 §3.2)`
    : `${ruleOfSeconds(TOKEN_EXPIRES_IN_SECONDS)} (RFC 6749 §5.1)`

/**
 * One line saying which field of an answer is wrong and what it must be. ParseError's own
 * message quotes the actual value (`Expected string, actual "<the device code>"`); this never does.
 */
export const describeParseError = (schema: Schema.Schema.AnyNoContext, error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined || issue.path.length === 0) return "the answer is not a JSON object of the expected shape"
  const field = String(issue.path[0])
  const known = field === "expires_in" ? expiresInRule(schema) : RULES.get(field)
  // A field name is provider-chosen only when it is unknown, and unknown fields are never refused.
  const name = known === undefined ? sanitize(truncate(field, 64)) : field
  if (issue._tag === "Missing") return `${name} is missing`
  return known === undefined ? `${name} is not valid` : `${name} must be ${known}`
}

// ---------------------------------------------------------------------------------------------

/**
 * The provider answered, and the answer ends the request: retrying cannot help. Either a refusal
 * (any status that is neither 2xx nor 5xx: an OAuth error response, RFC 6749 §5.2, or a body
 * that is empty, HTML or otherwise unreadable), or a 2xx answer that does not decode.
 * Transport failures, timeouts and 5xx are `ApiError`s instead: those are worth another try.
 */
export class ProtocolError extends Data.TaggedError("ProtocolError")<{
  readonly url: string
  readonly status: number
  /** The `error` code, when the body had one (sanitized). */
  readonly error: string | undefined
  /** `error_description`, or the refusal's text, or what is wrong with a 2xx answer: sanitized, at most 200 characters. */
  readonly description: string | undefined
}> {
  /** True for a 2xx answer that could not be used (as opposed to a refusal). */
  get invalidAnswer(): boolean {
    return this.error === undefined && this.status >= 200 && this.status < 300
  }
  /** What the provider said, on one line. */
  get detail(): string {
    if (this.invalidAnswer) return `the answer is not valid: ${this.description ?? "unreadable"}`
    if (this.error !== undefined) return `${this.error}${this.description ? ` (${this.description})` : ""}`
    return `HTTP ${this.status}${this.description ? `: ${this.description}` : " with an empty body"}`
  }
  override get message() {
    return `request to ${this.url} failed: ${this.detail}`
  }
}

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

export interface OAuthClientShape {
  readonly discover: (issuer: string) => Effect.Effect<Metadata, ApiError>
  /** RFC 8628 §3.1; a refusal or an unusable answer is a Left, transport failures and 5xx fail. */
  readonly deviceAuthorization: (
    endpoint: string,
    clientId: string,
    scope: string
  ) => Effect.Effect<Either.Either<DeviceAuthorization, ProtocolError>, ApiError>
  /** POST to the token endpoint; a refusal or an unusable answer is a Left, transport failures and 5xx fail. */
  readonly token: (
    endpoint: string,
    params: Record<string, string | Redacted.Redacted>
  ) => Effect.Effect<Either.Either<TokenResponse, ProtocolError>, ApiError>
  /** RFC 7009: 200 means revoked (or already invalid); a refusal is a `ProtocolError`, 5xx and transport an `ApiError`. */
  readonly revoke: (
    endpoint: string,
    clientId: string,
    token: Redacted.Redacted,
    hint: "refresh_token" | "access_token"
  ) => Effect.Effect<void, ApiError | ProtocolError>
  readonly jwks: (uri: string) => Effect.Effect<Jwks, ApiError>
}

export class OAuthClient extends Context.Tag("latchkey/OAuthClient")<OAuthClient, OAuthClientShape>() {}

/** The text of a refusal that is not an OAuth error response: an HTML page reduced to its words. */
const refusalText = (body: string): string | undefined => {
  const text = providerText(body.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ").replace(/<[^>]*>/g, " ").replace(/\s+/g, " "))
  return text === "" ? undefined : text
}

export const make = Effect.gen(function*() {
  const brand = yield* Brand
  const client = yield* HttpClient.HttpClient
  const timeout = Duration.millis(brand.httpTimeoutMillis)

  const send = <A, E>(
    url: string,
    request: HttpClientRequest.HttpClientRequest,
    onResponse: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, E>
  ) => http.send(client, timeout, url, request, onResponse)

  const body = (url: string, response: HttpClientResponse.HttpClientResponse) =>
    response.text.pipe(Effect.mapError((e) => new ApiError({ url, reason: `could not read the response: ${http.causeMessage(e.cause ?? e.message)}` })))

  /** Decode a 2xx body as `schema`; what is wrong is named without quoting any value. */
  const decodeAnswer = <A, I>(url: string, status: number, text: string, schema: Schema.Schema<A, I>): Either.Either<A, ProtocolError> => {
    const invalid = (description: string) => new ProtocolError({ url, status, error: undefined, description })
    const json = http.parseJson(text)
    if (Either.isLeft(json)) return Either.left(invalid(json.left))
    return Schema.decodeUnknownEither(schema)(json.right, { errors: "first", onExcessProperty: "ignore" }).pipe(
      Either.mapLeft((e) => invalid(describeParseError(schema as Schema.Schema.AnyNoContext, e)))
    )
  }

  /** The body as an OAuth error response (RFC 6749 §5.2), if it is one with a non-empty `error`. */
  const oauthError = (url: string, status: number, text: string): ProtocolError | undefined => {
    const json = http.parseJson(text)
    if (Either.isLeft(json)) return undefined
    const decoded = Schema.decodeUnknownEither(ErrorResponse)(json.right)
    if (Either.isLeft(decoded) || decoded.right.error === "") return undefined
    return new ProtocolError({ url, status, error: decoded.right.error, description: decoded.right.error_description || undefined })
  }

  /** A refusal: an OAuth error response if the body is one, else the body's text, sanitized and cut. */
  const refusal = (url: string, status: number, text: string): ProtocolError =>
    oauthError(url, status, text) ?? new ProtocolError({ url, status, error: undefined, description: refusalText(text) })

  /** The refusal without any secret the request carried, should the provider echo one back. */
  const scrub = (e: ProtocolError, secrets: ReadonlyArray<string>): ProtocolError => {
    const scrubbed = (text: string | undefined) =>
      secrets.reduce<string | undefined>((t, secret) => (t === undefined || secret.length < 4 ? t : t.split(secret).join("[redacted]")), text)
    return new ProtocolError({ url: e.url, status: e.status, error: scrubbed(e.error), description: scrubbed(e.description) })
  }
  const secretsOf = (params: Record<string, string | Redacted.Redacted>) =>
    Object.values(params).flatMap((v) => (Redacted.isRedacted(v) ? [Redacted.value(v)] : []))

  const serverError = (url: string, status: number) => new ApiError({ url, reason: `HTTP ${status}` })

  const get = <A, I>(url: string, schema: Schema.Schema<A, I>) =>
    send(url, HttpClientRequest.get(url).pipe(HttpClientRequest.acceptJson), (response) =>
      Effect.flatMap(body(url, response), (text): Effect.Effect<A, ApiError> => {
        if (response.status < 200 || response.status >= 300) return Effect.fail(new ApiError({ url, reason: `HTTP ${response.status}` }))
        return Either.match(decodeAnswer(url, response.status, text, schema), {
          onLeft: (e) => Effect.fail(new ApiError({ url, reason: `unexpected response: ${e.description}` })),
          onRight: Effect.succeed
        })
      }))

  const form = (params: Record<string, string | Redacted.Redacted>) =>
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Redacted.isRedacted(v) ? Redacted.value(v) : v]))

  /**
   * 2xx decodes as `schema`; 5xx is an `ApiError` (worth another try); every other status is the
   * provider's refusal, a Left, whether or not its body is a readable OAuth error response.
   * `Redacted` parameters are secrets: a refusal that echoes one has it replaced by `[redacted]`.
   */
  const post = <A, I>(url: string, params: Record<string, string | Redacted.Redacted>, schema: Schema.Schema<A, I>) =>
    send(
      url,
      HttpClientRequest.post(url).pipe(HttpClientRequest.acceptJson, HttpClientRequest.bodyUrlParams(form(params))),
      (response) =>
        response.status >= 500
          ? Effect.fail(serverError(url, response.status))
          : Effect.map(body(url, response), (text): Either.Either<A, ProtocolError> => {
            if (response.status < 200 || response.status >= 300) return Either.left(scrub(refusal(url, response.status, text), secretsOf(params)))
            // GitHub, for one, answers device-flow polls with 200 and an error response (RFC 8628 §3.5 says 400).
            const error = oauthError(url, response.status, text)
            return error === undefined ? decodeAnswer(url, response.status, text, schema) : Either.left(scrub(error, secretsOf(params)))
          })
    )

  return OAuthClient.of({
    discover: (issuer) => {
      const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`
      return get(url, Metadata).pipe(
        Effect.filterOrFail(
          // OpenID Connect Discovery §4.3: the issuer in the document must be the one asked for.
          (m) => m.issuer.replace(/\/+$/, "") === issuer.replace(/\/+$/, ""),
          (m) => new ApiError({ url, reason: `the document names issuer ${sanitize(truncate(m.issuer, MAX_PROVIDER_TEXT))}, not ${issuer}` })
        )
      )
    },
    deviceAuthorization: (endpoint, clientId, scope) => post(endpoint, { client_id: clientId, scope }, DeviceAuthorization),
    token: (endpoint, params) => post(endpoint, params, TokenResponse),
    revoke: (endpoint, clientId, token, hint) =>
      send(
        endpoint,
        HttpClientRequest.post(endpoint).pipe(
          HttpClientRequest.bodyUrlParams({ client_id: clientId, token: Redacted.value(token), token_type_hint: hint })
        ),
        (response): Effect.Effect<void, ApiError | ProtocolError> => {
          if (response.status === 200) return Effect.void
          if (response.status >= 500) return Effect.fail(new ApiError({ url: endpoint, reason: `revocation answered HTTP ${response.status}` }))
          return Effect.flatMap(body(endpoint, response), (text) => Effect.fail(scrub(refusal(endpoint, response.status, text), [Redacted.value(token)])))
        }
      ),
    jwks: (uri) => get(uri, Jwks)
  })
})

export const layer: Layer.Layer<OAuthClient, never, Brand | HttpClient.HttpClient> = Layer.effect(OAuthClient, make)
