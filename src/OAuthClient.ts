/**
 * The OAuth 2.0 / OpenID Connect client: discovery (OpenID Connect Discovery 1.0), device
 * authorization (RFC 8628 §3.1–3.2), token requests (RFC 6749 §5, RFC 8628 §3.4), revocation
 * (RFC 7009) and the JWKS, over whatever `HttpClient` is provided. Every response is decoded
 * with a Schema; protocol errors (`{"error": …}`) are values, not failures.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Brand } from "./Brand.js"
import { ApiError } from "./Errors.js"
import * as http from "./internal/http.js"

export const Metadata = Schema.Struct({
  issuer: Schema.String,
  token_endpoint: Schema.String,
  jwks_uri: Schema.String,
  device_authorization_endpoint: Schema.optional(Schema.String),
  revocation_endpoint: Schema.optional(Schema.String),
  userinfo_endpoint: Schema.optional(Schema.String)
})
export type Metadata = typeof Metadata.Type

/** RFC 8628 §3.2. */
export const DeviceAuthorization = Schema.Struct({
  device_code: Schema.String,
  user_code: Schema.String,
  verification_uri: Schema.String,
  verification_uri_complete: Schema.optional(Schema.String),
  expires_in: Schema.Number,
  interval: Schema.optional(Schema.Number)
})
export type DeviceAuthorization = typeof DeviceAuthorization.Type

/** RFC 6749 §5.1. */
export const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  token_type: Schema.String,
  expires_in: Schema.optional(Schema.Number),
  refresh_token: Schema.optional(Schema.String),
  id_token: Schema.optional(Schema.String),
  scope: Schema.optional(Schema.String)
})
export type TokenResponse = typeof TokenResponse.Type

/** RFC 6749 §5.2. */
export const ErrorResponse = Schema.Struct({
  error: Schema.String,
  error_description: Schema.optional(Schema.String)
})
export type ErrorResponse = typeof ErrorResponse.Type

export const Jwks = Schema.Struct({ keys: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })) })
export type Jwks = typeof Jwks.Type

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

export interface OAuthClientShape {
  readonly discover: (issuer: string) => Effect.Effect<Metadata, ApiError>
  readonly deviceAuthorization: (
    endpoint: string,
    clientId: string,
    scope: string
  ) => Effect.Effect<Either.Either<DeviceAuthorization, ErrorResponse>, ApiError>
  /** POST to the token endpoint; a protocol error (400/401 with `error`) is a Left. */
  readonly token: (
    endpoint: string,
    params: Record<string, string | Redacted.Redacted>
  ) => Effect.Effect<Either.Either<TokenResponse, ErrorResponse>, ApiError>
  /** RFC 7009: 200 means revoked (or already invalid). */
  readonly revoke: (endpoint: string, clientId: string, token: Redacted.Redacted, hint: "refresh_token" | "access_token") => Effect.Effect<void, ApiError>
  readonly jwks: (uri: string) => Effect.Effect<Jwks, ApiError>
}

export class OAuthClient extends Context.Tag("latchkey/OAuthClient")<OAuthClient, OAuthClientShape>() {}

export const make = Effect.gen(function*() {
  const brand = yield* Brand
  const client = yield* HttpClient.HttpClient
  const timeout = Duration.millis(brand.httpTimeoutMillis)

  const send = <A>(
    url: string,
    request: HttpClientRequest.HttpClientRequest,
    onResponse: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, ApiError>
  ) => http.send(client, timeout, url, request, onResponse)
  const decode = http.decode

  const get = <A, I>(url: string, schema: Schema.Schema<A, I>) =>
    send(url, HttpClientRequest.get(url).pipe(HttpClientRequest.acceptJson), (response) =>
      response.status >= 200 && response.status < 300
        ? decode(url, schema)(response)
        : Effect.fail(new ApiError({ url, reason: `HTTP ${response.status}` })))

  const form = (params: Record<string, string | Redacted.Redacted>) =>
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Redacted.isRedacted(v) ? Redacted.value(v) : v]))

  /** 2xx decodes as `schema`; 400/401 with an `error` member is the protocol's error response. */
  const post = <A, I>(url: string, params: Record<string, string | Redacted.Redacted>, schema: Schema.Schema<A, I>) =>
    send(
      url,
      HttpClientRequest.post(url).pipe(HttpClientRequest.acceptJson, HttpClientRequest.bodyUrlParams(form(params))),
      (response): Effect.Effect<Either.Either<A, ErrorResponse>, ApiError> => {
        if (response.status >= 200 && response.status < 300) return Effect.map(decode(url, schema)(response), Either.right)
        if (response.status === 400 || response.status === 401) return Effect.map(decode(url, ErrorResponse)(response), Either.left)
        return Effect.fail(new ApiError({ url, reason: `HTTP ${response.status}` }))
      }
    )

  return OAuthClient.of({
    discover: (issuer) => {
      const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`
      return get(url, Metadata).pipe(
        Effect.filterOrFail(
          // OpenID Connect Discovery §4.3: the issuer in the document must be the one asked for.
          (m) => m.issuer.replace(/\/+$/, "") === issuer.replace(/\/+$/, ""),
          (m) => new ApiError({ url, reason: `the document names issuer ${m.issuer}, not ${issuer}` })
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
        (response) =>
          response.status === 200
            ? Effect.void
            : Effect.fail(new ApiError({ url: endpoint, reason: `revocation answered HTTP ${response.status}` }))
      ),
    jwks: (uri) => get(uri, Jwks)
  })
})

export const layer: Layer.Layer<OAuthClient, never, Brand | HttpClient.HttpClient> = Layer.effect(OAuthClient, make)
