/**
 * The sandbox's control-plane API, answering from fixtures. Plain `node:http` so the OpenID
 * provider can share the server. One set of routes, authentication and data; the `apiShape`
 * option only decides how an answer is wrapped:
 *
 * - `contract` (the default): the contract in the README ("The platform API contract"):
 *   `GET /v1/me` → `{user: {id, email, name}, credential}`, `/v1/teams` → `{teams: [...]}`,
 *   `/v1/projects` and `/v1/teams/{id}/projects` → `{projects: [...]}`.
 * - `flat`: the shape of platforms such as inference.net's: `GET /v1/me` → `{id, email, name}`,
 *   and the lists as bare JSON arrays of the same items.
 *
 * `/v1/cli/config` and the error answers (401, 404, 405) are the same in both.
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

/** How the control plane wraps its answers (see the module comment). */
export type ApiShape = "contract" | "flat"
export const API_SHAPES: ReadonlyArray<ApiShape> = ["contract", "flat"]

interface UserView {
  readonly id: string
  readonly email: string
  readonly name: string
}
interface TeamView {
  readonly id: string
  readonly slug: string
  readonly name: string
}
interface ProjectView {
  readonly id: string
  readonly name: string
  readonly teamId: string
}

/** The only place the shapes differ: how each answer is wrapped. */
const shapes: Record<ApiShape, {
  readonly me: (user: UserView, credential: Principal["credential"]) => unknown
  readonly teams: (teams: ReadonlyArray<TeamView>) => unknown
  readonly projects: (projects: ReadonlyArray<ProjectView>) => unknown
}> = {
  contract: {
    me: (user, credential) => ({ user, credential }),
    teams: (teams) => ({ teams }),
    projects: (projects) => ({ projects })
  },
  flat: {
    me: (user) => user,
    teams: (teams) => teams,
    projects: (projects) => projects
  }
}

export interface ControlPlaneOptions {
  readonly fixtures: Fixtures
  readonly issuer: string | null
  readonly clientId: string | null
  /** Default `contract`. */
  readonly apiShape?: ApiShape
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
  const shape = shapes[options.apiShape ?? "contract"]
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

  const teamView = (id: string): TeamView => {
    const t = fixtures.teams.find((team) => team.id === id)!
    return { id: t.id, slug: t.slug, name: t.name }
  }
  const projectsOf = (teamIds: ReadonlyArray<string>): ReadonlyArray<ProjectView> =>
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
      const { email, id, name } = principal.user
      respond(200, shape.me({ id, email, name }, principal.credential), who)
    } else if (path === "/v1/teams") {
      respond(200, shape.teams(principal.teams.map(teamView)), who)
    } else if (path === "/v1/projects") {
      respond(200, shape.projects(projectsOf(principal.teams)), who)
    } else {
      const m = /^\/v1\/teams\/([^/]+)\/projects$/.exec(path)
      const teamId = m ? decodeURIComponent(m[1]!) : undefined
      if (teamId !== undefined && principal.teams.includes(teamId)) {
        respond(200, shape.projects(projectsOf([teamId])), who)
      } else {
        respond(404, { error: "not_found", message: teamId ? `no team ${teamId}` : `no route ${path}` }, who)
      }
    }
    return true
  }

  return { handle, log }
}
