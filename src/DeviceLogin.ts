/**
 * `auth login`: the OAuth 2.0 device authorization grant (RFC 8628) against the environment's
 * OpenID provider, then team and project selection, then a stored session.
 *
 * The issuer and client id come from the environment's settings or from the platform's
 * `GET /v1/cli/config`; everything else from the issuer's discovery document, so any
 * standards-compliant provider works. Nothing is stored until the very end: a login that fails
 * after approval leaves no half-made profile, and its tokens are revoked.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { matchProject } from "./ApiKeyLogin.js"
import { Brand } from "./Brand.js"
import { Browser, type OpenResult } from "./Browser.js"
import type { Profile } from "./ConfigStore.js"
import * as Credentials from "./Credentials.js"
import * as DeviceFlow from "./DeviceFlow.js"
import { Hint, InvalidInput, LoginFailed } from "./Errors.js"
import { own } from "./internal/records.js"
import { MAX_STRING } from "./internal/schemas.js"
import { sanitize } from "./internal/text.js"
import * as Names from "./Names.js"
import { OAuthClient } from "./OAuthClient.js"
import { PlatformApi } from "./PlatformApi.js"
import * as Profiles from "./Profiles.js"
import * as Session from "./Session.js"
import * as Teams from "./Teams.js"
import * as Urls from "./Urls.js"

/** The user code and where to enter it, for the person at the terminal. */
export interface CodeInfo {
  readonly userCode: string
  readonly verificationUri: string
  readonly verificationUriComplete: Option.Option<string>
  /** Epoch milliseconds when the code expires. */
  readonly expiresAt: number
  readonly browserOpened: boolean
  /** What opening the browser came to (refused, failed, opened); none when it was not tried. */
  readonly browser: Option.Option<OpenResult>
}

/** How the command shows progress; the use case decides nothing about presentation. */
export interface Hooks {
  readonly onCode: (info: CodeInfo) => Effect.Effect<void>
  readonly whileWaiting: <A, E, R>(wait: Effect.Effect<A, E, R>, expiresAt: number) => Effect.Effect<A, E, R>
}

export interface LoginInput {
  readonly profile: Option.Option<string>
  readonly team: Option.Option<string>
  readonly project: Option.Option<string>
  readonly noSwitch: boolean
  readonly openBrowser: boolean
  readonly interactive: boolean
  /** `--insecure-storage`: keep the tokens in the plaintext file, without trying the keyring. */
  readonly insecure: boolean
}

export const BASE_SCOPES = ["openid", "offline_access", "email", "profile"] as const

/** Issuer and client id: the environment's own settings, else what the platform announces. */
const oidcSettings = Effect.fn("DeviceLogin.oidcSettings")(function*(apiUrl: string, environment: { issuer?: string | undefined; clientId?: string | undefined } | undefined) {
  if (environment?.issuer && environment.clientId) return { issuer: environment.issuer, clientId: environment.clientId }
  const announced = yield* (yield* PlatformApi).cliConfig(apiUrl)
  const issuer = environment?.issuer ?? announced.issuer
  const clientId = environment?.clientId ?? announced.clientId
  if (!issuer || !clientId) {
    return yield* new InvalidInput({
      reason: `${apiUrl} announces no OpenID issuer for the CLI`,
      hint: Hint.AddIssuer({ apiUrl })
    })
  }
  return { issuer, clientId }
})

/** The ID token's email and name, cleaned of escapes; one longer than `MAX_STRING` refuses the login. */
const cleanClaims = <C extends { readonly email?: string | undefined; readonly name?: string | undefined }>(claims: C, issuer: string) =>
  Effect.gen(function*() {
    for (const [field, value] of [["email", claims.email], ["name", claims.name]] as const) {
      if (value !== undefined && value.length > MAX_STRING) {
        return yield* new LoginFailed({ reason: `${issuer} sent an ID token whose ${field} is longer than ${MAX_STRING} characters` })
      }
    }
    return {
      ...claims,
      email: claims.email === undefined ? undefined : sanitize(claims.email),
      name: claims.name === undefined ? undefined : sanitize(claims.name)
    }
  })

export const login = Effect.fn("DeviceLogin.login")(function*(input: LoginInput, hooks: Hooks) {
  const brand = yield* Brand
  const oauth = yield* OAuthClient
  const api = yield* PlatformApi
  const browser = yield* Browser

  const { apiUrl, config, environment } = yield* Credentials.loginTarget
  if (Option.isSome(input.profile)) yield* Names.validateExisting("profile", input.profile.value, config.profiles, "--profile")
  const { clientId, issuer } = yield* oidcSettings(apiUrl, own(config.environments, environment))
  // Plain http to another host only in an environment added with --allow-http (README, `environments`).
  const allowHttp = Credentials.allowsHttp(config, environment)
  yield* Urls.checkTransport(issuer, { what: "the issuer", allowHttp })
  const metadata = yield* oauth.discover(issuer)
  yield* Urls.checkMetadata(metadata, { allowHttp })
  if (metadata.device_authorization_endpoint === undefined) {
    return yield* new LoginFailed({ reason: `${issuer} does not offer the device authorization grant` })
  }

  const scope = [...new Set([...BASE_SCOPES, ...brand.scopes])].join(" ")
  const authorization = yield* oauth.deviceAuthorization(metadata.device_authorization_endpoint, clientId, scope).pipe(
    Effect.flatMap(Either.match({
      onLeft: (e) => new LoginFailed({ reason: `${issuer} could not start the login: ${e.detail}` }),
      onRight: Effect.succeed
    }))
  )
  const startedAt = yield* Clock.currentTimeMillis
  const expiresAt = startedAt + authorization.expires_in * 1000
  const target = authorization.verification_uri_complete ?? authorization.verification_uri
  const opened = input.openBrowser ? Option.some(yield* browser.open(target)) : Option.none<OpenResult>()
  yield* hooks.onCode({
    userCode: authorization.user_code,
    verificationUri: authorization.verification_uri,
    verificationUriComplete: Option.fromNullable(authorization.verification_uri_complete),
    expiresAt,
    browserOpened: Option.exists(opened, (r) => r._tag === "Opened"),
    browser: opened
  })

  const tokens = yield* hooks.whileWaiting(
    DeviceFlow.poll({ tokenEndpoint: metadata.token_endpoint, clientId, authorization }),
    expiresAt
  )

  // From here on the user has approved: any failure, or a cancellation, revokes what we were given.
  const revokeOnFailure = metadata.revocation_endpoint === undefined
    ? Effect.void
    : Effect.ignore(Session.revokeTokens(metadata.revocation_endpoint, clientId, Session.fromTokenResponse(tokens, startedAt)))

  return yield* Effect.gen(function*() {
    if (tokens.id_token === undefined) return yield* new LoginFailed({ reason: `${issuer} returned no ID token` })
    const signed = yield* DeviceFlow.validateIdToken({ idToken: tokens.id_token, issuer: metadata.issuer, clientId, jwksUri: metadata.jwks_uri })
    // The email and name are printed and stored: bounded and cleaned like every server string.
    const claims = yield* cleanClaims(signed, issuer)
    const credential = { apiUrl, token: Redacted.make(tokens.access_token) }
    const me = yield* api.me(credential)
    const teams = yield* api.teams(credential)

    // Logging in again as the same subject updates that profile instead of adding one.
    const sameSubject = Object.entries(config.profiles).find(([, p]) =>
      p.environment === environment && (p.session?.subject === claims.sub || (p.session === undefined && p.user?.id === me.user.id))
    )
    const name = Option.getOrElse(input.profile, () => sameSubject?.[0] ?? claims.email ?? me.user.email)
    // An email that is not a valid name (README, "Names") is refused rather than stored as one.
    if (Option.isNone(input.profile) && sameSubject === undefined && !Names.isValid(name)) {
      return yield* new LoginFailed({
        reason: `the account's email cannot be a profile name (profile names are ${Names.RULE})`,
        hint: Hint.NameProfile()
      })
    }
    const existing: Profile | undefined = own(config.profiles, name)

    const team = yield* Teams.choose(teams, input.team, input.interactive)
    const teamChanged = Option.getOrUndefined(Option.map(team, (t) => t.id)) !== existing?.team?.id
    const projects = Option.isSome(team) ? yield* api.teamProjects(credential, team.value.id) : []
    let project: Option.Option<{ id: string; name: string }>
    if (Option.isSome(input.project)) {
      const found = matchProject(projects, input.project.value)
      if (Option.isNone(found)) {
        return yield* new InvalidInput({
          reason: `no project ${input.project.value} in team ${Option.match(team, { onNone: () => "-", onSome: (t) => t.slug })}`
        })
      }
      project = found
    } else if (!teamChanged && existing?.project && projects.some((p) => p.id === existing.project!.id)) {
      // Same team as before: keep the project the user chose.
      project = Option.some({ id: existing.project.id, name: existing.project.name ?? existing.project.id })
    } else {
      project = Option.fromNullable(projects[0])
    }

    const now = yield* Clock.currentTimeMillis
    const saved = yield* Profiles.save({
      name,
      environment,
      apiUrl,
      credential: {
        kind: "session",
        tokens: Session.encode(Session.fromTokenResponse(tokens, now)),
        session: {
          issuer: metadata.issuer,
          clientId,
          subject: claims.sub,
          tokenEndpoint: metadata.token_endpoint,
          ...(metadata.revocation_endpoint === undefined ? {} : { revocationEndpoint: metadata.revocation_endpoint })
        }
      },
      user: { id: me.user.id, email: claims.email ?? me.user.email, ...(claims.name ?? me.user.name ? { name: (claims.name ?? me.user.name)! } : {}) },
      team,
      project,
      makeCurrent: !input.noSwitch,
      insecure: input.insecure
    })
    return {
      profile: name,
      created: saved.created,
      current: !input.noSwitch || config.currentProfile === name,
      user: saved.profile.user ?? null,
      team: saved.profile.team ?? null,
      project: saved.profile.project ? { id: saved.profile.project.id, name: saved.profile.project.name ?? null } : null,
      apiUrl,
      issuer: metadata.issuer,
      storage: saved.storage,
      storageLocation: saved.storageLocation
    }
    // Failures, defects and interruption (Ctrl-C at the team prompt, SIGINT) alike.
  }).pipe(Effect.onError(() => revokeOnFailure))
})
