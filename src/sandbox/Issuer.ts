/**
 * The sandbox's OpenID provider: panva's certified `oidc-provider`, configured for one public
 * device-flow client, with refresh tokens (`offline_access`), RFC 7009 revocation, userinfo and
 * JWKS. Fixture users log in on its pages with their fixture passwords. Every page it shows (code
 * entry, confirmation, sign-in, success, errors) is the sandbox's own, carries the `title` option
 * and loads nothing from elsewhere (oidc-provider's defaults pull fonts from Google).
 *
 * oidc-provider is lenient about RFC 8628 §3.5; this wrapper makes it strict: the device
 * authorization response carries `interval`, and a token poll that arrives before the interval
 * has passed is answered `slow_down` (and the interval for that code grows by 5 s). Polls are
 * counted so tests can assert that a client never polls early and never polls after success.
 */
import { createHash, generateKeyPairSync, randomUUID } from "node:crypto"
import type * as http from "node:http"
import type { Adapter, Configuration, KoaContextWithOIDC } from "oidc-provider"
import * as external from "../internal/external.js"
import { sanitize, truncate } from "../internal/text.js"
import type { Principal } from "./ControlPlane.js"
import type { Fixtures } from "./Fixtures.js"

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

export interface IssuerOptions {
  readonly issuer: string
  readonly clientId: string
  /** The product name on every page. */
  readonly title: string
  readonly fixtures: Fixtures
  /** Seconds a client must wait between polls (RFC 8628 §3.2 `interval`). */
  readonly interval: number
  /** Access-token lifetime in seconds. */
  readonly accessTokenTtl: number
  /** Demo mode: approve every pending code as this user after `approveAfter` seconds. */
  readonly approveAs?: string
  readonly approveAfter: number
}

export interface IssuerStats {
  deviceAuthorizations: number
  devicePolls: number
  /** Polls that came before the interval had passed: must stay 0 for a correct client. */
  earlyPolls: number
  /** Polls for a code that had already been exchanged for tokens: must stay 0 too. */
  pollsAfterSuccess: number
  deviceApprovals: number
  refreshGrants: number
  refreshFailures: number
  revocations: number
}

/** Timers may fire a hair early; a poll counts as early only beyond this slack. */
const EARLY_SLACK_MS = 25

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

/** A page of the provider: `heading · title` in the tab, the title above the heading. */
const page = (title: string, heading: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(heading)} · ${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto}input,button{display:block;margin:.5rem 0;padding:.4rem;width:100%}.title{color:#555}</style>
</head><body><p class="title">${escapeHtml(title)}</p><h1>${escapeHtml(heading)}</h1>${body}</body></html>`

const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let data = ""
    req.setEncoding("utf8")
    req.on("data", (chunk) => (data += chunk))
    req.on("end", () => resolve(data))
    req.on("error", reject)
  })

/**
 * oidc-provider is an ES module outside the CommonJS bundle: it is loaded with `import()`, and
 * only by the sandbox.
 */
export const load = async () => {
  const [{ default: Provider }, { default: MemoryAdapter }] = await Promise.all([
    external.load(() => require("oidc-provider") as typeof import("oidc-provider"), () => import("oidc-provider")),
    external.load(
      () => require("oidc-provider/lib/adapters/memory_adapter.js") as typeof import("oidc-provider/lib/adapters/memory_adapter.js"),
      () => import("oidc-provider/lib/adapters/memory_adapter.js")
    )
  ])
  /**
   * The sandbox keeps its state in memory on purpose (it is started fresh for every demo and
   * test run). Choosing oidc-provider's memory adapter explicitly, through a subclass, says so
   * and silences its "development-only adapter" warning.
   */
  class SandboxMemoryAdapter extends (MemoryAdapter as new(name: string) => Adapter) {}
  return { Provider, SandboxMemoryAdapter }
}

export type Loaded = Awaited<ReturnType<typeof load>>

/**
 * The wrapper below reads token-request bodies itself (to enforce the polling interval), which
 * oidc-provider notices and warns about once per process. That is the intended design here.
 */
const silencePreparsedBodyWarning = (() => {
  let done = false
  return () => {
    if (done) return
    done = true
    const warn = console.warn.bind(console)
    console.warn = (...args: Array<unknown>) => {
      if (typeof args[0] === "string" && args[0].includes("already parsed request body detected")) return
      warn(...args)
    }
  }
})()

export const make = ({ Provider, SandboxMemoryAdapter }: Loaded, options: IssuerOptions) => {
  silencePreparsedBodyWarning()
  const { fixtures } = options
  const html = (ctx: KoaContextWithOIDC, heading: string, body: string) => {
    ctx.type = "html"
    ctx.body = page(options.title, heading, body)
  }
  const userById = (id: string) => fixtures.users.find((u) => u.id === id)
  const userByLogin = (login: string) =>
    fixtures.users.find((u) => u.email.toLowerCase() === login.trim().toLowerCase() || u.id === login.trim())

  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), use: "sig", alg: "RS256" }

  const configuration: Configuration = {
    adapter: SandboxMemoryAdapter,
    clients: [{
      client_id: options.clientId,
      token_endpoint_auth_method: "none",
      grant_types: [DEVICE_GRANT, "refresh_token"],
      response_types: [],
      redirect_uris: []
    }],
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomUUID()] },
    scopes: ["openid", "offline_access", "email", "profile"],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // Put email and name in the ID token: the CLI names the profile after the email.
    conformIdTokenClaims: false,
    findAccount: (_ctx, id) => {
      const user = userById(id)
      if (!user) return undefined
      return {
        accountId: user.id,
        claims: () => ({ sub: user.id, email: user.email, email_verified: true, name: user.name })
      }
    },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        // `form` is oidc-provider's own markup (its hidden fields); everything else is escaped.
        userCodeInputSource: (ctx, form, _out, err) =>
          html(
            ctx,
            "Enter your code",
            `<p${err ? ` role="alert" style="color:#b00"` : ""}>${
              err ? "That code is wrong or has expired. Try again." : "Enter the code your device shows."
            }</p>${form}<button type="submit" form="op.deviceInputForm">Continue</button>`
          ),
        userCodeConfirmSource: (ctx, form, _client, _deviceInfo, userCode) =>
          html(
            ctx,
            "Confirm your device",
            `<p>Continue only if your device shows this code:</p><p><code>${escapeHtml(userCode)}</code></p>${form}
<button autofocus type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Abort</button>`
          ),
        successSource: (ctx) => html(ctx, "Sign-in Success", "<p>You are signed in. You can close this page.</p>")
      },
      revocation: { enabled: true },
      userinfo: { enabled: true }
    },
    renderError: (ctx, out) =>
      html(
        ctx,
        "Something went wrong",
        Object.entries(out).map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(String(value))}</p>`)
          .join("")
      ),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    issueRefreshToken: (_ctx, client, code) => client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: options.accessTokenTtl,
      DeviceCode: 600,
      RefreshToken: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600
    }
  }

  const provider = new Provider(options.issuer, configuration)
  const stats: IssuerStats = {
    deviceAuthorizations: 0,
    devicePolls: 0,
    earlyPolls: 0,
    pollsAfterSuccess: 0,
    deviceApprovals: 0,
    refreshGrants: 0,
    refreshFailures: 0,
    revocations: 0
  }
  const polls = new Map<string, { last: number; interval: number }>()
  const exchanged = new Set<string>()

  // RFC 8628 §3.2: tell the client how long to wait between polls.
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.method === "POST" && ctx.path === "/device/auth" && ctx.status === 200 && typeof ctx.body === "object") {
      ;(ctx.body as Record<string, unknown>)["interval"] = options.interval
    }
  })
  provider.on("grant.success", (ctx: KoaContextWithOIDC) => {
    const params = ctx.oidc.params as Record<string, unknown> | undefined
    if (params?.["grant_type"] === DEVICE_GRANT && typeof params["device_code"] === "string") exchanged.add(params["device_code"])
  })
  provider.on("grant.error", (ctx: KoaContextWithOIDC) => {
    const params = ctx.oidc.params as Record<string, unknown> | undefined
    if (params?.["grant_type"] === "refresh_token") stats.refreshFailures++
  })

  const approve = async (deviceCodeJti: string, user: Fixtures["users"][number]) => {
    const code = await provider.DeviceCode.find(deviceCodeJti)
    if (!code || code.accountId) return
    const scope = String((code.params as Record<string, unknown>)["scope"] ?? "openid")
    const grant = new provider.Grant({ accountId: user.id, clientId: options.clientId })
    grant.addOIDCScope(scope)
    grant.addOIDCClaims(["email", "email_verified", "name"])
    const grantId = await grant.save()
    Object.assign(code, { accountId: user.id, authTime: Math.floor(Date.now() / 1000), grantId, scope })
    await code.save()
    stats.deviceApprovals++
  }

  if (options.approveAs !== undefined) {
    const user = userByLogin(options.approveAs)
    if (!user) throw new Error(`cannot approve device codes as ${truncate(sanitize(options.approveAs), 80)}: no such fixture user`)
    provider.on("device_authorization.success", (ctx: KoaContextWithOIDC) => {
      const jti = ctx.oidc.entities.DeviceCode?.jti
      if (jti) setTimeout(() => void approve(jti, user).catch(() => undefined), options.approveAfter * 1000).unref()
    })
  }
  provider.on("device_authorization.success", () => void stats.deviceAuthorizations++)
  provider.on("server_error", (_ctx: unknown, error: Error) => console.error(`sandbox: OpenID provider error: ${error.stack ?? error}`))

  const loginForm = (uid: string, error?: string) =>
    page(
      options.title,
      `Sign in to ${options.title}`,
      `${error ? `<p role="alert" style="color:#b00">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Email <input name="login" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form>`
    )

  const send = (res: http.ServerResponse, status: number, html: string) => {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
    res.end(html)
  }

  const interaction = async (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    const m = /^\/interaction\/([^/]+)(\/login)?$/.exec(path)
    if (!m) return false
    const uid = m[1]!
    const details = await provider.interactionDetails(req, res)
    if (m[2] === "/login" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req))
      const user = userByLogin(form.get("login") ?? "")
      if (!user || user.password !== form.get("password")) {
        send(res, 401, loginForm(uid, "Unknown email or wrong password."))
        return true
      }
      await provider.interactionFinished(req, res, { login: { accountId: user.id } }, { mergeWithLastSubmission: false })
      return true
    }
    if (details.prompt.name === "login") {
      send(res, 200, loginForm(uid))
      return true
    }
    // Consent: the sandbox's CLI client is first-party, so what it asks for is granted.
    const accountId = details.session?.accountId
    const clientId = String(details.params["client_id"])
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: accountId!, clientId })
    const missing = details.prompt.details as { missingOIDCScope?: Array<string>; missingOIDCClaims?: Array<string> }
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "))
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
    const grantId = await grant.save()
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
    return true
  }

  const callback = provider.callback()

  /** Handle a request to the issuer's server. */
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://issuer").pathname
    if (path.startsWith("/interaction/")) {
      if (await interaction(req, res, path)) return
    }
    if (req.method === "POST" && path === "/token/revocation") stats.revocations++
    if (req.method === "POST" && path === "/token") {
      const body = await readBody(req)
      // oidc-provider reads an already-consumed body from `req.body`.
      ;(req as unknown as { body: string }).body = body
      const params = new URLSearchParams(body)
      const grantType = params.get("grant_type")
      if (grantType === "refresh_token") stats.refreshGrants++
      const deviceCode = params.get("device_code")
      if (grantType === DEVICE_GRANT && deviceCode) {
        stats.devicePolls++
        if (exchanged.has(deviceCode)) stats.pollsAfterSuccess++
        const now = Date.now()
        const state = polls.get(deviceCode)
        if (state && now - state.last < state.interval * 1000 - EARLY_SLACK_MS) {
          stats.earlyPolls++
          state.interval += 5
          state.last = now
          res.writeHead(400, { "content-type": "application/json", "cache-control": "no-store" })
          res.end(JSON.stringify({ error: "slow_down", error_description: `poll at most every ${state.interval} seconds` }))
          return
        }
        polls.set(deviceCode, { last: now, interval: state?.interval ?? options.interval })
      }
    }
    callback(req, res)
  }

  /** The principal behind an access token this provider issued, for the control plane. */
  const verifyAccessToken = async (token: string): Promise<Principal | undefined> => {
    const at = await provider.AccessToken.find(token)
    const user = at && at.accountId ? userById(at.accountId) : undefined
    if (!at || !user) return undefined
    return {
      user,
      // The opaque token's jti is the token itself: the id the API shows is a digest of it, never the secret.
      credential: { type: "access_token", id: `at_${createHash("sha256").update(at.jti).digest("hex").slice(0, 16)}` },
      teams: fixtures.teams.filter((t) => t.members.includes(user.id)).map((t) => t.id)
    }
  }

  return { provider, handle, verifyAccessToken, stats }
}
