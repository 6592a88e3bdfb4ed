/**
 * A platform API and an OpenID provider behind one in-memory HttpClient, for deterministic
 * login and session tests: ID tokens are really signed (jose) at the Clock's time, refresh tokens
 * rotate and a used one is refused, and every request is recorded.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as jose from "jose"

export const ISSUER = "https://issuer.test"
export const API = "https://api.test"
export const CLIENT_ID = "cli"
/** Where the user enters the code: an https page, as a browser may open it. */
export const DEVICE_PAGE = "https://issuer.test/device"

export interface Team {
  readonly id: string
  readonly slug: string
  readonly name: string
}

export interface Options {
  readonly teams?: ReadonlyArray<Team>
  readonly projects?: ReadonlyArray<{ id: string; name: string; teamId: string }>
  readonly sub?: string
  readonly email?: string
  /** Answers to device-code polls before tokens: "authorization_pending", "access_denied", … */
  readonly pollErrors?: ReadonlyArray<string>
  /** Mutate the ID token's claims (e.g. a wrong audience). */
  readonly idToken?: { readonly audience?: string; readonly issuer?: string; readonly expiresIn?: number }
  readonly accessTokenTtl?: number
  readonly announceIssuer?: boolean
  /** The device authorization's `verification_uri` and `verification_uri_complete` (null: left out). */
  readonly verification?: { readonly uri: string; readonly complete: string | null }
  /** The revocation endpoint answers 503. */
  readonly revocationFails?: boolean
  /** `/v1/me` names the credential by the access token itself, as the sandbox once did. */
  readonly echoToken?: boolean
}

export const defaultTeams: ReadonlyArray<Team> = [
  { id: "team_acme", slug: "acme", name: "Acme Research" },
  { id: "team_globex", slug: "globex", name: "Globex Corporation" }
]

export const defaultProjects = [
  { id: "prj_web", name: "Website", teamId: "team_acme" },
  { id: "prj_ml", name: "Model Training", teamId: "team_acme" },
  { id: "prj_api", name: "Globex API", teamId: "team_globex" }
]

export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const teams = options.teams ?? defaultTeams
    const projects = options.projects ?? defaultProjects
    const sub = options.sub ?? "usr_alice"
    const email = options.email ?? "alice@example.com"
    const { privateKey, publicKey } = yield* Effect.promise(() => jose.generateKeyPair("RS256"))
    const publicJwk = { ...(yield* Effect.promise(() => jose.exportJWK(publicKey))), kid: "k1", alg: "RS256", use: "sig" }
    const pollErrors = [...(options.pollErrors ?? [])]
    const accessTokens = new Set<string>()
    const refreshTokens = new Set<string>()
    const revoked: Array<string> = []
    const calls: Array<{ method: string; path: string; form: Record<string, string> }> = []
    let counter = 0
    let refreshes = 0

    const json = (request: Parameters<typeof HttpClientResponse.fromWeb>[0], status: number, body: unknown) =>
      HttpClientResponse.fromWeb(request, new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }))

    const issueTokens = (now: number, withIdToken: boolean) =>
      Effect.gen(function*() {
        counter++
        const access = `at-${counter}`
        const refresh = `rt-${counter}`
        accessTokens.add(access)
        refreshTokens.add(refresh)
        const seconds = Math.floor(now / 1000)
        const idToken = withIdToken
          ? yield* Effect.promise(() =>
            new jose.SignJWT({ email, name: "Alice Example" })
              .setProtectedHeader({ alg: "RS256", kid: "k1" })
              .setIssuer(options.idToken?.issuer ?? ISSUER)
              .setAudience(options.idToken?.audience ?? CLIENT_ID)
              .setSubject(sub)
              .setIssuedAt(seconds)
              .setExpirationTime(seconds + (options.idToken?.expiresIn ?? 3600))
              .sign(privateKey)
          )
          : undefined
        return {
          access_token: access,
          token_type: "Bearer",
          expires_in: options.accessTokenTtl ?? 3600,
          refresh_token: refresh,
          ...(idToken ? { id_token: idToken } : {})
        }
      })

    const client = HttpClient.make((request) =>
      Effect.gen(function*() {
        const url = new URL(request.url)
        const form = request.body._tag === "Uint8Array"
          ? Object.fromEntries(new URLSearchParams(new TextDecoder().decode(request.body.body)))
          : {}
        calls.push({ method: request.method, path: `${url.origin}${url.pathname}`, form })
        const now = yield* Clock.currentTimeMillis
        const bearer = (request.headers["authorization"] ?? "").replace(/^Bearer /, "")
        const route = `${request.method} ${url.origin}${url.pathname}`
        switch (route) {
          case `GET ${ISSUER}/.well-known/openid-configuration`:
            return json(request, 200, {
              issuer: ISSUER,
              device_authorization_endpoint: `${ISSUER}/device/auth`,
              token_endpoint: `${ISSUER}/token`,
              jwks_uri: `${ISSUER}/jwks`,
              revocation_endpoint: `${ISSUER}/revoke`
            })
          case `GET ${ISSUER}/jwks`:
            return json(request, 200, { keys: [publicJwk] })
          case `POST ${ISSUER}/device/auth`:
            return json(request, 200, {
              device_code: "dc-1",
              user_code: "ABCD-EFGH",
              verification_uri: options.verification?.uri ?? DEVICE_PAGE,
              ...(options.verification?.complete === null
                ? {}
                : { verification_uri_complete: options.verification?.complete ?? `${DEVICE_PAGE}?user_code=ABCD-EFGH` }),
              expires_in: 600,
              interval: 5
            })
          case `POST ${ISSUER}/token`: {
            if (form["grant_type"] === "urn:ietf:params:oauth:grant-type:device_code") {
              const error = pollErrors.shift()
              if (error) return json(request, 400, { error })
              return json(request, 200, yield* issueTokens(now, true))
            }
            if (form["grant_type"] === "refresh_token") {
              refreshes++
              const used = form["refresh_token"] ?? ""
              if (!refreshTokens.delete(used)) return json(request, 400, { error: "invalid_grant" })
              return json(request, 200, yield* issueTokens(now, false))
            }
            return json(request, 400, { error: "unsupported_grant_type" })
          }
          case `POST ${ISSUER}/revoke`:
            if (options.revocationFails) return json(request, 503, {})
            revoked.push(form["token"] ?? "")
            refreshTokens.delete(form["token"] ?? "")
            return json(request, 200, {})
          case `GET ${API}/v1/cli/config`:
            return json(request, 200, options.announceIssuer === false ? { issuer: null, clientId: null } : { issuer: ISSUER, clientId: CLIENT_ID })
        }
        if (!accessTokens.has(bearer)) return json(request, 401, { error: "unauthorized" })
        if (route === `GET ${API}/v1/me`) {
          return json(request, 200, {
            user: { id: sub, email, name: "Alice Example" },
            credential: options.echoToken ? { type: "access_token", id: bearer } : { type: "access_token" }
          })
        }
        if (route === `GET ${API}/v1/teams`) return json(request, 200, { teams })
        if (route === `GET ${API}/v1/projects`) return json(request, 200, { projects })
        const m = /^\/v1\/teams\/([^/]+)\/projects$/.exec(url.pathname)
        if (request.method === "GET" && url.origin === API && m) {
          return json(request, 200, { projects: projects.filter((p) => p.teamId === decodeURIComponent(m[1]!)) })
        }
        return yield* Effect.dieMessage(`fake platform: unexpected ${route}`)
      })
    )

    return {
      layer: Layer.succeed(HttpClient.HttpClient, client),
      calls,
      revoked,
      get refreshes() {
        return refreshes
      },
      refreshTokens,
      /** Requests to the token endpoint with the device-code grant. */
      polls: () => calls.filter((c) => c.form["grant_type"] === "urn:ietf:params:oauth:grant-type:device_code").length
    }
  })
