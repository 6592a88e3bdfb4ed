/**
 * A device-flow session's tokens, kept in the SecretStore (never in the profile file), and
 * their refresh.
 *
 * An access token within a minute of expiry is refreshed before use. The refresh holds a
 * cross-process lock: oidc-provider (like most providers that rotate refresh tokens) revokes the
 * whole grant when a rotated refresh token is used twice, so two processes must never refresh
 * the same session at once. A process that waited for the lock re-reads the tokens and uses the
 * ones its peer just stored.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { ConfigStore, type Profile } from "./ConfigStore.js"
import { Hint, ApiError, LoginFailed, NotAuthenticated, SessionExpired } from "./Errors.js"
import { type Metadata, OAuthClient, ProtocolError, TOKEN_EXPIRES_IN_SECONDS, type TokenResponse } from "./OAuthClient.js"
import { SecretStore } from "./SecretStore.js"
import * as Urls from "./Urls.js"

export const SessionTokens = Schema.Struct({
  accessToken: Schema.String,
  refreshToken: Schema.optional(Schema.String),
  /** Epoch milliseconds. */
  expiresAt: Schema.Finite,
  idToken: Schema.optional(Schema.String)
})
export type SessionTokens = typeof SessionTokens.Type

const codec = Schema.parseJson(SessionTokens)

/** Refresh when the access token has less than this left. */
export const REFRESH_MARGIN_MILLIS = 60_000
/** When the provider does not say how long an access token lives. */
const DEFAULT_EXPIRES_IN_SECONDS = 3600

/**
 * The access token's life in seconds: the provider's `expires_in` when it is an integer within
 * `TOKEN_EXPIRES_IN_SECONDS` (the Schema refuses any other), else the default. Never NaN or
 * Infinity, which JSON would store as `null` and make the session unreadable.
 */
const lifetimeSeconds = (expiresIn: number | undefined): number =>
  expiresIn !== undefined && Number.isInteger(expiresIn) && expiresIn >= TOKEN_EXPIRES_IN_SECONDS.min &&
    expiresIn <= TOKEN_EXPIRES_IN_SECONDS.max
    ? expiresIn
    : DEFAULT_EXPIRES_IN_SECONDS

export const fromTokenResponse = (response: TokenResponse, now: number, previous?: SessionTokens): SessionTokens => {
  const refreshToken = response.refresh_token ?? previous?.refreshToken
  const idToken = response.id_token ?? previous?.idToken
  return {
    accessToken: response.access_token,
    expiresAt: now + lifetimeSeconds(response.expires_in) * 1000,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(idToken === undefined ? {} : { idToken })
  }
}

export const encode = (tokens: SessionTokens): Redacted.Redacted => Redacted.make(JSON.stringify(tokens))

const ref = (profile: Profile) => ({ id: profile.secretId, kind: "session" as const })

/** The stored tokens of a profile's session. */
export const read = Effect.fn("Session.read")(function*(name: string, profile: Profile) {
  const secrets = yield* SecretStore
  const storage = profile.session?.storage ?? "file"
  const stored = yield* secrets.get(ref(profile), storage)
  if (Option.isNone(stored)) {
    return yield* new NotAuthenticated({ reason: `the session of profile ${name} is missing from ${secrets.location(storage)}`, hint: Hint.Login({ profile: name }) })
  }
  return yield* Schema.decode(codec)(Redacted.value(stored.value)).pipe(
    Effect.mapError(() => new NotAuthenticated({ reason: `the stored session of profile ${name} is unreadable`, hint: Hint.Login({ profile: name }) }))
  )
})

export interface AccessToken {
  readonly token: Redacted.Redacted
  readonly expiresAt: number
  /** This call refreshed the session at the provider. */
  readonly refreshed: boolean
  /** The session holds a refresh token, so it can outlive this access token. */
  readonly canRefresh: boolean
}

/**
 * A usable access token for the profile's session: the stored one while it has more than a
 * minute left (unless `force`), else a refreshed one.
 */
export const accessToken = Effect.fn("Session.accessToken")(function*(
  name: string,
  profile: Profile,
  options: { readonly force: boolean } = { force: false }
) {
  const session = profile.session
  if (session === undefined) {
    return yield* new NotAuthenticated({ reason: `profile ${name} has no session`, hint: Hint.Login({ profile: name }) })
  }
  const fresh = (tokens: SessionTokens, now: number) => tokens.expiresAt - now > REFRESH_MARGIN_MILLIS
  const result = (tokens: SessionTokens, refreshed: boolean): AccessToken => ({
    token: Redacted.make(tokens.accessToken),
    expiresAt: tokens.expiresAt,
    refreshed,
    canRefresh: tokens.refreshToken !== undefined
  })
  const seen = yield* read(name, profile)
  if (!options.force && fresh(seen, yield* Clock.currentTimeMillis)) return result(seen, false)

  const store = yield* ConfigStore
  const secrets = yield* SecretStore
  const oauth = yield* OAuthClient
  return yield* store.withLock(
    `session-${profile.secretId}`,
    Effect.gen(function*() {
      const latest = yield* read(name, profile)
      const now = yield* Clock.currentTimeMillis
      // A peer refreshed while we waited: its tokens are ours too (even when forced).
      if (latest.accessToken !== seen.accessToken && fresh(latest, now)) return result(latest, false)
      if (!options.force && fresh(latest, now)) return result(latest, false)
      if (latest.refreshToken === undefined) return yield* new SessionExpired({ profile: name })
      const answer = yield* oauth.token(session.tokenEndpoint, {
        grant_type: "refresh_token",
        refresh_token: Redacted.make(latest.refreshToken),
        client_id: session.clientId
      })
      if (Either.isLeft(answer)) {
        const refusal = answer.left
        if (refusal.invalidAnswer) {
          return yield* new ApiError({ url: session.tokenEndpoint, reason: `the refreshed tokens cannot be used: ${refusal.description ?? "unreadable"}` })
        }
        // RFC 6749 §5.2: `invalid_grant` is a refused refresh token. A refusal without a readable
        // error (an empty body, an HTML page) can only mean the same; only 5xx and transport
        // failures (ApiError) are something else.
        if (refusal.error === undefined || refusal.error === "invalid_grant") {
          return yield* new SessionExpired({ profile: name })
        }
        return yield* new LoginFailed({ reason: `refreshing the session failed: ${refusal.detail}` })
      }
      const next = fromTokenResponse(answer.right, yield* Clock.currentTimeMillis, latest)
      // Written atomically: the rotated refresh token replaces the used one in one step.
      yield* secrets.put(ref(profile), encode(next), session.storage)
      return result(next, true)
    })
  )
})

/** RFC 7009 §2: revoke the refresh token — which takes the grant's access tokens with it — or, without one, the access token. */
export const revokeTokens = (endpoint: string, clientId: string, tokens: SessionTokens) =>
  Effect.flatMap(OAuthClient, (oauth) =>
    tokens.refreshToken === undefined
      ? oauth.revoke(endpoint, clientId, Redacted.make(tokens.accessToken), "access_token")
      : oauth.revoke(endpoint, clientId, Redacted.make(tokens.refreshToken), "refresh_token"))

/**
 * Revoke the session's refresh token (RFC 7009 §2), for `auth logout`. Returns why it could not
 * be revoked, if it could not: logging out locally goes ahead either way.
 */
export const revoke = Effect.fn("Session.revoke")(function*(
  name: string,
  profile: Profile,
  /** The profile's environment was added with `--allow-http` (README, `environments`). */
  options: { readonly allowHttp: boolean } = { allowHttp: false }
) {
  const session = profile.session
  if (session === undefined) return Option.none<string>()
  const oauth = yield* OAuthClient
  return yield* Effect.gen(function*() {
    const tokens = yield* read(name, profile)
    let metadata: Metadata | undefined
    if (session.revocationEndpoint === undefined) {
      // Endpoints stored at login were checked then; one discovered now is checked the same way.
      metadata = yield* oauth.discover(session.issuer)
      yield* Urls.checkMetadata(metadata, options)
    }
    const endpoint = session.revocationEndpoint ?? metadata?.revocation_endpoint
    if (endpoint === undefined) return Option.some(`${session.issuer} offers no revocation endpoint`)
    const refused = yield* revokeTokens(endpoint, session.clientId, tokens).pipe(
      Effect.as(Option.none<ProtocolError>()),
      Effect.catchTag("ProtocolError", (e) => Effect.succeed(Option.some(e)))
    )
    if (Option.isNone(refused)) return Option.none<string>()
    const e = refused.value
    if (e.status === 401 || e.error === "invalid_client") {
      // RFC 8414 §2: a provider that lists how clients authenticate to revoke, without `none`,
      // revokes only for confidential clients; latchkey is a public one.
      const known = metadata ?? Option.getOrUndefined(yield* Effect.option(oauth.discover(session.issuer)))
      const methods = known?.revocation_endpoint_auth_methods_supported
      if (methods !== undefined && !methods.includes("none")) {
        return Option.some(
          `the provider only revokes tokens for confidential clients (revocation_endpoint_auth_methods_supported: ${methods.join(", ")})`
        )
      }
    }
    return Option.some(e.message)
  }).pipe(Effect.catchAll((e) => Effect.succeed(Option.some(e.message))))
})
