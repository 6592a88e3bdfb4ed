/**
 * `auth status`: which credential this invocation would use, where it comes from, and whether the
 * platform accepts it. The view carries no secret, only the masked key.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Brand } from "./Brand.js"
import type { Team, User } from "./ConfigStore.js"
import * as Credentials from "./Credentials.js"
import { PlatformApi } from "./PlatformApi.js"
import { maskKey, storageLabel } from "./Profiles.js"

export interface StatusView {
  readonly authenticated: true
  readonly user: User | null
  readonly method: Credentials.Method
  /** Which input supplied the credential: `--profile`, `LATCHKEY_API_KEY`, `LATCHKEY_PROFILE`, `current profile`. */
  readonly source: string
  readonly profile: string | null
  readonly environment: string
  readonly apiUrl: string
  readonly storage: string
  readonly storageLocation: string
  readonly maskedKey: string | null
  readonly team: Team | null
  readonly project: { readonly id: string; readonly name: string | null; readonly source: Credentials.ProjectSource } | null
  /** `true` when the platform accepted the credential just now; `false` with `verifyError` when it could not be asked, or with `--offline`. */
  readonly verified: boolean
  readonly verifyError: string | null
  /** For a session: when its access token expires (ISO 8601) and whether the session can refresh it; `null` for an API key. */
  readonly expiresAt: string | null
  readonly canRefresh: boolean | null
}

export const status = Effect.fn("Status.status")(function*(flags: Credentials.Flags, options: { readonly verify: boolean } = { verify: true }) {
  const brand = yield* Brand
  const api = yield* PlatformApi
  const resolved = yield* Credentials.resolve(flags)
  const stored = Option.map(resolved.profile, (p) => p.profile)
  // A rejected credential fails the status (CredentialRejected); an unreachable platform does not
  // change what is stored, so it is reported next to the stored facts.
  const me = options.verify
    ? yield* api.me(resolved.credential).pipe(
      Effect.map((m) => ({ user: Option.some(m.user), error: null as string | null, checked: true })),
      Effect.catchTag("ApiError", (e) => Effect.succeed({ user: Option.none<User>(), error: e.message as string | null, checked: true }))
    )
    : { user: Option.none<User>(), error: null, checked: false }
  const project = Option.map(resolved.project, (p) => ({
    id: p.id,
    name: Option.getOrNull(p.name),
    source: p.from
  }))
  return {
    authenticated: true,
    user: Option.getOrNull(Option.orElse(me.user, () => Option.flatMap(stored, (p) => Option.fromNullable(p.user)))),
    method: resolved.method,
    source: Credentials.sourceLabel(resolved.source),
    profile: Option.getOrNull(Option.map(resolved.profile, (p) => p.name)),
    environment: resolved.environment,
    apiUrl: resolved.credential.apiUrl,
    storage: storageLabel(resolved.storage) ?? resolved.storage,
    storageLocation: resolved.storageLocation,
    maskedKey: resolved.method === "api-key" ? maskKey(resolved.credential.token, brand.keyPrefix) : null,
    team: Option.getOrNull(Option.flatMap(stored, (p) => Option.fromNullable(p.team))),
    project: Option.getOrNull(project),
    verified: me.checked && me.error === null,
    verifyError: me.error,
    expiresAt: Option.getOrNull(Option.map(resolved.session, (x) => new Date(x.expiresAt).toISOString())),
    canRefresh: Option.getOrNull(Option.map(resolved.session, (x) => x.canRefresh))
  } satisfies StatusView as StatusView
})
