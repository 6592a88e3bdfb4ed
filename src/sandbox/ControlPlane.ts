/**
 * The sandbox's control-plane API: the contract in the README ("The platform API contract"),
 * answering from fixtures. Plain `node:http` so the OpenID provider can share the server.
 */
import type * as http from "node:http"
import type { Fixtures } from "./Fixtures.js"

export interface Principal {
  readonly user: Fixtures["users"][number]
  readonly credential: { readonly type: "api_key" | "access_token"; readonly id?: string; readonly name?: string }
  /** Team ids this credential may act for. */
  readonly teams: ReadonlyArray<string>
}

/** Resolves bearer tokens other than API keys (the OpenID provider's access tokens, later). */
export type TokenVerifier = (token: string) => Promise<Principal | undefined>

export interface ControlPlaneOptions {
  readonly fixtures: Fixtures
  readonly issuer: string | null
  readonly clientId: string | null
  readonly verifyAccessToken?: TokenVerifier
}

export interface RequestLog {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly credential: string | null
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
  res.end(text)
}

export const makeHandler = (options: ControlPlaneOptions) => {
  const { fixtures } = options
  const log: Array<RequestLog> = []

  const principalForKey = (token: string): Principal | undefined => {
    const key = fixtures.apiKeys.find((k) => k.key === token && !k.revoked)
    const user = key && fixtures.users.find((u) => u.id === key.userId)
    if (!key || !user) return undefined
    const memberOf = new Set(fixtures.teams.filter((t) => t.members.includes(user.id)).map((t) => t.id))
    return {
      user,
      credential: { type: "api_key", id: key.id, name: key.name },
      teams: key.teams.filter((t) => memberOf.has(t))
    }
  }

  const authenticate = async (req: http.IncomingMessage): Promise<Principal | undefined> => {
    const header = req.headers.authorization ?? ""
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) return undefined
    const token = match[1]!
    return principalForKey(token) ?? (options.verifyAccessToken ? await options.verifyAccessToken(token) : undefined)
  }

  const teamView = (id: string) => {
    const t = fixtures.teams.find((team) => team.id === id)!
    return { id: t.id, slug: t.slug, name: t.name }
  }
  const projectsOf = (teamIds: ReadonlyArray<string>) =>
    fixtures.projects.filter((p) => teamIds.includes(p.teamId)).map((p) => ({ id: p.id, name: p.name, teamId: p.teamId }))

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://sandbox")
    const path = url.pathname
    if (!path.startsWith("/v1/")) return false
    const respond = (status: number, body: unknown, credential: string | null) => {
      log.push({ method: req.method ?? "GET", path, status, credential })
      json(res, status, body)
    }
    if (req.method !== "GET") {
      respond(405, { error: "method_not_allowed" }, null)
      return true
    }
    if (path === "/v1/cli/config") {
      respond(200, { issuer: options.issuer, clientId: options.clientId }, null)
      return true
    }
    const principal = await authenticate(req)
    if (!principal) {
      respond(401, { error: "unauthorized", message: "unknown or revoked credential" }, null)
      return true
    }
    const who = principal.credential.id ?? principal.user.id
    if (path === "/v1/me") {
      respond(200, {
        user: { id: principal.user.id, email: principal.user.email, name: principal.user.name },
        credential: principal.credential
      }, who)
    } else if (path === "/v1/teams") {
      respond(200, { teams: principal.teams.map(teamView) }, who)
    } else if (path === "/v1/projects") {
      respond(200, { projects: projectsOf(principal.teams) }, who)
    } else {
      const m = /^\/v1\/teams\/([^/]+)\/projects$/.exec(path)
      const teamId = m ? decodeURIComponent(m[1]!) : undefined
      if (teamId !== undefined && principal.teams.includes(teamId)) {
        respond(200, { projects: projectsOf([teamId]) }, who)
      } else {
        respond(404, { error: "not_found", message: teamId ? `no team ${teamId}` : `no route ${path}` }, who)
      }
    }
    return true
  }

  return { handle, log }
}
