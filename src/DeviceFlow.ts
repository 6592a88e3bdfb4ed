/**
 * The OAuth 2.0 Device Authorization Grant (RFC 8628) from the device's side: polling the token
 * endpoint as §3.4–3.5 require, and validating the ID token that comes back.
 *
 * Polling is a loop over `Effect.sleep`, so it runs on the Clock and TestClock drives it in tests.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Hint, LoginFailed } from "./Errors.js"
import {
  DEFAULT_INTERVAL_SECONDS,
  DEVICE_CODE_EXPIRES_IN_SECONDS,
  DEVICE_CODE_GRANT,
  type DeviceAuthorization,
  INTERVAL_SECONDS,
  OAuthClient,
  type TokenResponse
} from "./OAuthClient.js"

export { DEFAULT_INTERVAL_SECONDS }
/** RFC 8628 §3.5: on `slow_down` "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
export const SLOW_DOWN_SECONDS = 5
/** Longest wait between polls while the network keeps failing. */
export const MAX_BACKOFF_MILLIS = 60_000

const within = (value: number, bounds: { readonly min: number; readonly max: number }) =>
  Number.isInteger(value) && value >= bounds.min && value <= bounds.max

/**
 * Why the authorization's timing cannot be used, if it cannot: the same bounds as its Schema,
 * checked again here because a caller may hand `poll` a value that was never decoded.
 */
export const checkTiming = (authorization: Pick<DeviceAuthorization, "expires_in" | "interval">): string | undefined => {
  if (authorization.interval !== undefined && !within(authorization.interval, INTERVAL_SECONDS)) {
    return `the provider asked to poll every ${String(authorization.interval)} seconds; latchkey accepts ${INTERVAL_SECONDS.min} to ${INTERVAL_SECONDS.max} (RFC 8628 §3.2)`
  }
  if (!within(authorization.expires_in, DEVICE_CODE_EXPIRES_IN_SECONDS)) {
    return `the provider gave the code a life of ${String(authorization.expires_in)} seconds; latchkey accepts ${DEVICE_CODE_EXPIRES_IN_SECONDS.min} to ${DEVICE_CODE_EXPIRES_IN_SECONDS.max} (RFC 8628 §3.2)`
  }
  return undefined
}

/**
 * Poll until the user approves, denies, or the code expires. Returns the token response the
 * moment it arrives and never polls again: a second poll with a used code makes strict providers
 * (oidc-provider) revoke the whole grant.
 *
 * Only `authorization_pending` and `slow_down` keep it polling (RFC 8628 §3.5). Transport
 * failures and 5xx are retried with exponential backoff, never past `expires_in`; any other
 * answer (an unknown error, a 403, an HTML page, a token response that does not decode) ends the
 * login at once with what the provider said.
 */
export const poll = Effect.fn("DeviceFlow.poll")(function*(input: {
  readonly tokenEndpoint: string
  readonly clientId: string
  readonly authorization: DeviceAuthorization
}) {
  const oauth = yield* OAuthClient
  const timing = checkTiming(input.authorization)
  if (timing !== undefined) return yield* new LoginFailed({ reason: timing })
  const start = yield* Clock.currentTimeMillis
  const deadline = start + input.authorization.expires_in * 1000
  let interval = (input.authorization.interval ?? DEFAULT_INTERVAL_SECONDS) * 1000
  let failures = 0
  const expired = new LoginFailed({ reason: "the code expired before it was approved", hint: Hint.LoginAgain() })
  while (true) {
    const wait = failures === 0 ? interval : Math.min(interval * 2 ** failures, MAX_BACKOFF_MILLIS)
    if ((yield* Clock.currentTimeMillis) + wait > deadline) return yield* expired
    yield* Effect.sleep(wait)
    const answer = yield* oauth.token(input.tokenEndpoint, {
      grant_type: DEVICE_CODE_GRANT,
      // Redacted: a refusal that echoes the code back shows `[redacted]` instead.
      device_code: Redacted.make(input.authorization.device_code),
      client_id: input.clientId
    }).pipe(Effect.either)
    if (Either.isLeft(answer)) {
      // The network or the provider's server failed (an ApiError is a transport failure, a
      // timeout or a 5xx): try again, more slowly.
      failures++
      yield* Effect.logDebug(`token poll failed: ${answer.left.message}`)
      continue
    }
    failures = 0
    const response = answer.right
    if (Either.isRight(response)) return response.right satisfies TokenResponse
    const refusal = response.left
    if (refusal.invalidAnswer) {
      return yield* new LoginFailed({ reason: `the provider's token response cannot be used: ${refusal.description ?? "unreadable"}` })
    }
    switch (refusal.error) {
      case "authorization_pending":
        continue
      case "slow_down":
        interval += SLOW_DOWN_SECONDS * 1000
        continue
      case "access_denied":
        return yield* new LoginFailed({ reason: "the login was denied in the browser" })
      case "expired_token":
        return yield* expired
      default:
        return yield* new LoginFailed({ reason: `the provider refused the login: ${refusal.detail}` })
    }
  }
})

export const IdClaims = Schema.Struct({
  sub: Schema.String,
  email: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String)
})
export type IdClaims = typeof IdClaims.Type

/**
 * Validate an ID token with jose (signature against the provider's JWKS, `iss`, `aud`, `exp`;
 * OpenID Connect Core §3.1.3.7) at the Clock's time.
 */
export const validateIdToken = Effect.fn("DeviceFlow.validateIdToken")(function*(input: {
  readonly idToken: string
  readonly issuer: string
  readonly clientId: string
  readonly jwksUri: string
}) {
  const oauth = yield* OAuthClient
  const jwks = yield* oauth.jwks(input.jwksUri)
  const now = yield* Clock.currentTimeMillis
  const jose = yield* Effect.promise(() => import("jose"))
  const { payload } = yield* Effect.tryPromise({
    try: () =>
      jose.jwtVerify(input.idToken, jose.createLocalJWKSet(jwks as never), {
        issuer: input.issuer,
        audience: input.clientId,
        currentDate: new Date(now)
      }),
    catch: (e) => new LoginFailed({ reason: `the ID token is not valid: ${e instanceof Error ? e.message : String(e)}` })
  })
  return yield* Schema.decodeUnknown(IdClaims)(payload).pipe(
    Effect.mapError(() => new LoginFailed({ reason: "the ID token has no subject" }))
  )
})
