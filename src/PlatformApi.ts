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
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Brand } from "./Brand.js"
import { Team, User } from "./ConfigStore.js"
import { ApiError, CredentialRejected } from "./Errors.js"
import * as http from "./internal/http.js"

export const Me = Schema.Struct({
  user: User,
  credential: Schema.Struct({
    type: Schema.Literal("api_key", "access_token"),
    id: Schema.optional(Schema.String),
    name: Schema.optional(Schema.String)
  })
})
export type Me = typeof Me.Type

export const Project = Schema.Struct({ id: Schema.String, name: Schema.String, teamId: Schema.String })
export type Project = typeof Project.Type

export const CliConfig = Schema.Struct({
  issuer: Schema.NullOr(Schema.String),
  clientId: Schema.NullOr(Schema.String)
})
export type CliConfig = typeof CliConfig.Type

const Teams = Schema.Struct({ teams: Schema.Array(Team) })
const Projects = Schema.Struct({ projects: Schema.Array(Project) })

/** A credential bound to the API it is for. */
export interface Credential {
  readonly apiUrl: string
  readonly token: Redacted.Redacted
}

export type ApiFailure = ApiError | CredentialRejected

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

const ErrorBody = Schema.Struct({ message: Schema.optional(Schema.String), error: Schema.optional(Schema.String) })

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
    token: Option.Option<Redacted.Redacted>
  ): Effect.Effect<A, ApiFailure> => {
    const url = joinUrl(apiUrl, pathname)
    const request = HttpClientRequest.get(url).pipe(
      HttpClientRequest.acceptJson,
      (req) => Option.isSome(token) ? HttpClientRequest.bearerToken(req, token.value) : req
    )
    return http.send(client, timeout, url, request, (response): Effect.Effect<A, ApiFailure> => {
      if (response.status === 401 || response.status === 403) {
        return HttpClientResponse.schemaBodyJson(ErrorBody)(response).pipe(
          Effect.map((b) => b.message ?? b.error ?? ""),
          Effect.orElseSucceed(() => ""),
          Effect.flatMap((detail) => new CredentialRejected({ apiUrl, status: response.status, detail }))
        )
      }
      if (response.status < 200 || response.status >= 300) {
        return HttpClientResponse.schemaBodyJson(ErrorBody)(response).pipe(
          Effect.map((b) => b.message ?? b.error),
          Effect.orElseSucceed(() => undefined),
          Effect.flatMap((detail) => new ApiError({ url, reason: `HTTP ${response.status}${detail ? `: ${detail}` : ""}` }))
        )
      }
      return http.decode(url, schema)(response)
    }).pipe(
      Effect.withSpan("PlatformApi.get", { attributes: { url } })
    )
  }

  return PlatformApi.of({
    me: (c) => get(c.apiUrl, "/v1/me", Me, Option.some(c.token)),
    teams: (c) => get(c.apiUrl, "/v1/teams", Teams, Option.some(c.token)).pipe(Effect.map((r) => r.teams)),
    teamProjects: (c, teamId) =>
      get(c.apiUrl, `/v1/teams/${encodeURIComponent(teamId)}/projects`, Projects, Option.some(c.token)).pipe(
        Effect.map((r) => r.projects)
      ),
    projects: (c) => get(c.apiUrl, "/v1/projects", Projects, Option.some(c.token)).pipe(Effect.map((r) => r.projects)),
    cliConfig: (apiUrl) => get(apiUrl, "/v1/cli/config", CliConfig, Option.none())
  })
})

/** The live client; needs an `HttpClient` (the CLI uses `FetchHttpClient.layer`). */
export const layer: Layer.Layer<PlatformApi, never, Brand | HttpClient.HttpClient> = Layer.effect(PlatformApi, make)
