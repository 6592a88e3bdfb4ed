/**
 * The control-plane client: the documented contract an embedder's API offers (see README,
 * "The platform API contract"). Every response is decoded with a Schema, every request has a
 * deadline, and 401/403 become `CredentialRejected`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Brand } from "./Brand.js"
import type { Team } from "./ConfigStore.js"
import { ApiError, CredentialRejected, InvalidInput } from "./Errors.js"
import * as http from "./internal/http.js"
import { CleanString } from "./internal/schemas.js"
import { sanitize } from "./internal/text.js"

// Every string of an answer is bounded and cleaned of escape sequences as it is decoded (README,
// "The platform API contract"): names and emails are printed and stored, and must not carry a
// terminal's control sequences nor run to megabytes. The shapes are those of ConfigStore's
// `User` and `Team`, which decode what is already stored.

/** `GET /v1/me`'s user. */
export const ApiUser = Schema.Struct({ id: CleanString, email: CleanString, name: Schema.optional(CleanString) })

/** A team, as the API lists it. */
export const ApiTeam = Schema.Struct({ id: CleanString, slug: CleanString, name: CleanString })

export const Me = Schema.Struct({
  user: ApiUser,
  credential: Schema.Struct({
    type: Schema.Literal("api_key", "access_token"),
    id: Schema.optional(CleanString),
    name: Schema.optional(CleanString)
  })
})
export type Me = typeof Me.Type

export const Project = Schema.Struct({ id: CleanString, name: CleanString, teamId: CleanString })
export type Project = typeof Project.Type

export const CliConfig = Schema.Struct({
  issuer: Schema.NullOr(CleanString),
  clientId: Schema.NullOr(CleanString)
})
export type CliConfig = typeof CliConfig.Type

const Teams = Schema.Struct({ teams: Schema.Array(ApiTeam) })
const Projects = Schema.Struct({ projects: Schema.Array(Project) })

/** A credential bound to the API it is for. */
export interface Credential {
  readonly apiUrl: string
  readonly token: Redacted.Redacted
  /** Where the secret came from, for messages ("the API key in LATCHKEY_API_KEY"); never the secret. */
  readonly source?: string | undefined
}

export type ApiFailure = ApiError | CredentialRejected | InvalidInput

/**
 * What may follow `Bearer ` in a header: visible ASCII, no white space (RFC 6750 §2.1's
 * b64token is narrower still, but keys and opaque tokens vary). CR, LF and NUL would split or
 * break the request, and fetch would quote the whole header in its error.
 */
const SENDABLE = /^[\x21-\x7e]+$/

/** A secret that cannot travel in a header is refused before anything is sent, naming where it came from. */
export const checkSendable = (credential: Credential): Effect.Effect<void, InvalidInput> =>
  SENDABLE.test(Redacted.value(credential.token))
    ? Effect.void
    : Effect.fail(
      new InvalidInput({
        reason: `${credential.source ?? `the credential for ${credential.apiUrl}`} contains characters that cannot be sent in an HTTP header (white space or control characters); it was not sent`
      })
    )

/** The forms of `secret` a server might echo back: whole, trimmed, and as cleaning would leave it. */
const secretForms = (secret: string): ReadonlyArray<string> =>
  [...new Set([secret, secret.trim(), sanitize(secret)])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)

/** `text` with every occurrence of `secret` replaced by `[redacted]`. */
export const redact = (text: string, secret: Redacted.Redacted): string =>
  secretForms(Redacted.value(secret)).reduce((t, form) => t.split(form).join("[redacted]"), text)

/** `value` with the secret removed from every string in it (an answer that echoes the credential). */
const redactDeep = <A>(value: A, secret: Redacted.Redacted): A => {
  if (typeof value === "string") return redact(value, secret) as A
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secret)) as A
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secret)])) as A
  }
  return value
}

export interface PlatformApiShape {
  /** `GET /v1/me`: who the credential belongs to. */
  readonly me: (credential: Credential) => Effect.Effect<Me, ApiFailure>
  /** `GET /v1/teams`. */
  readonly teams: (credential: Credential) => Effect.Effect<ReadonlyArray<Team>, ApiFailure>
  /** `GET /v1/teams/{id}/projects`. */
  readonly teamProjects: (credential: Credential, teamId: string) => Effect.Effect<ReadonlyArray<Project>, ApiFailure>
  /** `GET /v1/projects`: every project the credential can see. */
  readonly projects: (credential: Credential) => Effect.Effect<ReadonlyArray<Project>, ApiFailure>
  /** `GET /v1/cli/config` (unauthenticated): the OpenID issuer and client id. */
  readonly cliConfig: (apiUrl: string) => Effect.Effect<CliConfig, ApiFailure>
}

export class PlatformApi extends Context.Tag("latchkey/PlatformApi")<PlatformApi, PlatformApiShape>() {}

/** An error answer's reason: any shape is accepted, only a clean, bounded `message` or `error` string is shown. */
const ErrorBody = Schema.Struct({
  message: Schema.optional(Schema.Unknown),
  error: Schema.optional(Schema.Unknown)
})

const errorDetail = (json: unknown): string | undefined => {
  const body = http.decodeValue(ErrorBody, json)
  if (body._tag === "Left") return undefined
  for (const candidate of [body.right.message, body.right.error]) {
    const clean = http.decodeValue(CleanString, candidate)
    if (clean._tag === "Right" && clean.right.trim() !== "") return clean.right.trim()
  }
  return undefined
}

const joinUrl = (apiUrl: string, pathname: string) => apiUrl.replace(/\/+$/, "") + pathname

/** The live client, over whatever `HttpClient` is provided. */
export const make = Effect.gen(function*() {
  const brand = yield* Brand
  const client = yield* HttpClient.HttpClient
  const timeout = Duration.millis(brand.httpTimeoutMillis)

  const get = <A, I>(
    apiUrl: string,
    pathname: string,
    schema: Schema.Schema<A, I>,
    credential: Option.Option<Credential>
  ): Effect.Effect<A, ApiFailure> => {
    const url = joinUrl(apiUrl, pathname)
    const token = Option.map(credential, (c) => c.token)
    // What the server says goes through `scrub`: it may echo the credential back.
    const scrub = (text: string) => Option.match(token, { onNone: () => text, onSome: (t) => redact(text, t) })
    const request = HttpClientRequest.get(url).pipe(
      HttpClientRequest.acceptJson,
      (req) => Option.isSome(token) ? HttpClientRequest.bearerToken(req, token.value) : req
    )
    const detail = (response: HttpClientResponse.HttpClientResponse) =>
      http.readJson(response).pipe(
        Effect.map((json) => Option.fromNullable(errorDetail(json)).pipe(Option.map(scrub))),
        Effect.orElseSucceed(() => Option.none<string>())
      )
    const sent = http.send(client, timeout, url, request, (response): Effect.Effect<A, ApiFailure> => {
      if (response.status === 401 || response.status === 403) {
        return detail(response).pipe(
          Effect.flatMap((d) => new CredentialRejected({ apiUrl, status: response.status, detail: Option.getOrElse(d, () => "") }))
        )
      }
      if (response.status < 200 || response.status >= 300) {
        return detail(response).pipe(
          Effect.flatMap((d) => new ApiError({ url, reason: `HTTP ${response.status}${Option.match(d, { onNone: () => "", onSome: (s) => `: ${s}` })}` }))
        )
      }
      return http.decode(url, schema)(response).pipe(
        Effect.map((a) => Option.match(token, { onNone: () => a, onSome: (t) => redactDeep(a, t) }))
      )
    })
    return Option.match(credential, { onNone: () => sent, onSome: (c) => Effect.zipRight(checkSendable(c), sent) }).pipe(
      Effect.withSpan("PlatformApi.get", { attributes: { url } })
    )
  }

  return PlatformApi.of({
    me: (c) => get(c.apiUrl, "/v1/me", Me, Option.some(c)),
    teams: (c) => get(c.apiUrl, "/v1/teams", Teams, Option.some(c)).pipe(Effect.map((r) => r.teams)),
    teamProjects: (c, teamId) =>
      get(c.apiUrl, `/v1/teams/${encodeURIComponent(teamId)}/projects`, Projects, Option.some(c)).pipe(
        Effect.map((r) => r.projects)
      ),
    projects: (c) => get(c.apiUrl, "/v1/projects", Projects, Option.some(c)).pipe(Effect.map((r) => r.projects)),
    cliConfig: (apiUrl) => get(apiUrl, "/v1/cli/config", CliConfig, Option.none())
  })
})

/** The live client; needs an `HttpClient` (the CLI uses `FetchHttpClient.layer`). */
export const layer: Layer.Layer<PlatformApi, never, Brand | HttpClient.HttpClient> = Layer.effect(PlatformApi, make)
