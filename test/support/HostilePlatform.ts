/**
 * A hostile platform API: a real HTTP server on 127.0.0.1 whose answers to the contract's routes
 * (`/v1/me`, `/v1/teams`, `/v1/projects`, `/v1/teams/{id}/projects`, `/v1/cli/config`) a test
 * scripts per scenario — escape sequences in names, error messages that echo the key, bodies that
 * are not JSON, wrong types, 100,000 levels of nesting, a 50 MB email. Every request is recorded,
 * with its Authorization header, so a test can tell whether a secret was sent at all.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/** One answer: a status and a body (an object is sent as JSON, a string or Buffer as is). */
export interface Answer {
  readonly status: number
  readonly body: unknown
}

export type Route = "me" | "teams" | "projects" | "teamProjects" | "cliConfig"

export type Script = Partial<Record<Route, Answer | ((authorization: string | undefined) => Answer)>>

export interface Seen {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
}

/** Terminal controls: C0 (but newline), DEL, C1, and the bidi controls. What must never be printed or stored. */
export const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

/** A name with every kind of trick: OSC retitle, CSI clear screen, C1 CSI, a bidi override. */
export const hostile = (text: string) => `\x1b]0;pwned\x07${text}\x1b[2J\x9b31m\u202e`

export const routeOf = (path: string): Route | undefined => {
  if (path === "/v1/me") return "me"
  if (path === "/v1/teams") return "teams"
  if (path === "/v1/projects") return "projects"
  if (path === "/v1/cli/config") return "cliConfig"
  if (/^\/v1\/teams\/[^/]+\/projects$/.test(path)) return "teamProjects"
  return undefined
}

/** A well-behaved answer for each route, which a scenario overrides where it lies. */
export const honest: Required<{ [K in Route]: Answer }> = {
  me: { status: 200, body: { user: { id: "usr_h", email: "hal@example.com", name: "Hal" }, credential: { type: "api_key", id: "key_h" } } },
  teams: { status: 200, body: { teams: [{ id: "team_h", slug: "hq", name: "Headquarters" }] } },
  projects: { status: 200, body: { projects: [{ id: "prj_h", name: "Harbour", teamId: "team_h" }] } },
  teamProjects: { status: 200, body: { projects: [{ id: "prj_h", name: "Harbour", teamId: "team_h" }] } },
  cliConfig: { status: 200, body: { issuer: null, clientId: null } }
}

/** Start a server answering `script` (honest elsewhere); `close` ends it and its connections. */
export const start = async (initial: Script = {}) => {
  let script = initial
  const seen: Array<Seen> = []
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname
    seen.push({ method: req.method ?? "GET", path, authorization: req.headers.authorization })
    const route = routeOf(path)
    if (route === undefined) {
      res.writeHead(404, { "content-type": "application/json" })
      return res.end(JSON.stringify({ error: "not_found" }))
    }
    const scripted = script[route] ?? honest[route]
    const answer = typeof scripted === "function" ? scripted(req.headers.authorization) : scripted
    const body = typeof answer.body === "string" || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body)
    res.writeHead(answer.status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** Answer differently from now on; the record of requests starts afresh. */
    script: (next: Script) => {
      script = next
      seen.length = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
