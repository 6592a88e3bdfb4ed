/**
 * A hostile OpenID provider and platform API on 127.0.0.1, for end-to-end tests of the built CLI:
 * a real HTTP server (node:http) serving OpenID discovery, the JWKS, device authorization, the
 * token endpoint, revocation, and the platform's `/v1/cli/config`, `/v1/me`, `/v1/teams` and
 * team projects. Each endpoint answers as the current scenario says (status, JSON or raw body);
 * by default it behaves like an honest provider, issuing really signed ID tokens, so a scenario
 * changes only the one answer it is about. Every request is recorded.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as jose from "jose"

export const CLIENT_ID = "x"

/** An answer: JSON (the default content type) or a raw body with its content type. */
export type Answer =
  | { readonly status: number; readonly json: unknown }
  | { readonly status: number; readonly text: string; readonly contentType?: string }

export interface Scenario {
  /** Extra discovery members (e.g. `revocation_endpoint_auth_methods_supported`). */
  readonly metadata?: Record<string, unknown>
  /** The device authorization answer; default a good one (interval 1 s, 10 minutes). */
  readonly deviceAuthorization?: (base: string) => Answer
  /** Answers to device-code polls, in order; the last repeats. Default: tokens at once. */
  readonly polls?: ReadonlyArray<Answer | "tokens">
  /** The answer to a refresh; default new tokens. */
  readonly refresh?: Answer | "tokens"
  /** The answer to a revocation; default 200. */
  readonly revoke?: Answer
}

export interface Request {
  readonly method: string
  readonly path: string
  readonly form: Record<string, string>
  readonly authorization: string | undefined
}

export const goodAuthorization = (base: string) => ({
  device_code: "dc-hostile-1",
  user_code: "WDJB-MJHT",
  verification_uri: `${base}/device`,
  verification_uri_complete: `${base}/device?user_code=WDJB-MJHT`,
  expires_in: 600,
  interval: 1
})

export const start = async () => {
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256")
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }
  const requests: Array<Request> = []
  const accessTokens = new Set<string>()
  let scenario: Scenario = {}
  let pollIndex = 0
  let counter = 0
  let base = ""

  const tokens = async (withIdToken: boolean) => {
    counter++
    const access = `hostile-at-${counter}`
    accessTokens.add(access)
    const now = Math.floor(Date.now() / 1000)
    const idToken = withIdToken
      ? await new jose.SignJWT({ email: "mallory@example.com", name: "Mallory" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(base)
        .setAudience(CLIENT_ID)
        .setSubject("usr_mallory")
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey)
      : undefined
    return {
      status: 200,
      json: {
        access_token: access,
        token_type: "Bearer",
        expires_in: 3600,
        refresh_token: `hostile-rt-${counter}`,
        ...(idToken ? { id_token: idToken } : {})
      }
    }
  }

  const send = (res: http.ServerResponse, answer: Answer) => {
    if ("json" in answer) {
      res.writeHead(answer.status, { "content-type": "application/json" })
      res.end(JSON.stringify(answer.json))
    } else {
      res.writeHead(answer.status, { "content-type": answer.contentType ?? "text/html" })
      res.end(answer.text)
    }
  }

  const route = async (req: http.IncomingMessage, body: string): Promise<Answer> => {
    const url = new URL(req.url ?? "/", base)
    const form = Object.fromEntries(new URLSearchParams(body))
    const authorization = req.headers.authorization
    requests.push({ method: req.method ?? "", path: url.pathname, form, authorization })
    const key = `${req.method} ${url.pathname}`
    switch (key) {
      case "GET /.well-known/openid-configuration":
        return {
          status: 200,
          json: {
            issuer: base,
            device_authorization_endpoint: `${base}/device/auth`,
            token_endpoint: `${base}/token`,
            jwks_uri: `${base}/jwks`,
            revocation_endpoint: `${base}/revoke`,
            ...scenario.metadata
          }
        }
      case "GET /jwks":
        return { status: 200, json: { keys: [jwk] } }
      case "POST /device/auth":
        return scenario.deviceAuthorization?.(base) ?? { status: 200, json: goodAuthorization(base) }
      case "POST /token": {
        if (form["grant_type"] === "urn:ietf:params:oauth:grant-type:device_code") {
          const polls = scenario.polls ?? ["tokens"]
          const answer = polls[Math.min(pollIndex++, polls.length - 1)]!
          return answer === "tokens" ? tokens(true) : answer
        }
        if (form["grant_type"] === "refresh_token") {
          const answer = scenario.refresh ?? "tokens"
          return answer === "tokens" ? tokens(false) : answer
        }
        return { status: 400, json: { error: "unsupported_grant_type" } }
      }
      case "POST /revoke":
        return scenario.revoke ?? { status: 200, text: "" }
      case "GET /v1/cli/config":
        return { status: 200, json: { issuer: base, clientId: CLIENT_ID } }
    }
    if (!accessTokens.has((authorization ?? "").replace(/^Bearer /, ""))) return { status: 401, json: { error: "unauthorized" } }
    if (key === "GET /v1/me") {
      return { status: 200, json: { user: { id: "usr_mallory", email: "mallory@example.com", name: "Mallory" }, credential: { type: "access_token" } } }
    }
    if (key === "GET /v1/teams") return { status: 200, json: { teams: [{ id: "team_h", slug: "hostile", name: "Hostile Inc" }] } }
    if (key === "GET /v1/teams/team_h/projects") return { status: 200, json: { projects: [{ id: "prj_h", name: "Hostile", teamId: "team_h" }] } }
    return { status: 404, json: { error: "not_found" } }
  }

  const server = http.createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (d: string) => (body += d))
    req.on("end", () => {
      route(req, body).then(
        (answer) => send(res, answer),
        (e: unknown) => send(res, { status: 500, text: String(e), contentType: "text/plain" })
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: base,
    requests,
    /** Requests to the token endpoint with the device-code grant. */
    polls: () => requests.filter((r) => r.form["grant_type"] === "urn:ietf:params:oauth:grant-type:device_code").length,
    /** Answer from now on as `next` says; forgets the requests seen so far. */
    use: (next: Scenario) => {
      scenario = next
      pollIndex = 0
      requests.length = 0
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
