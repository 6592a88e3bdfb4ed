/**
 * The sandbox's world: users, teams, projects and API keys. Loaded from a JSON file
 * (`--fixtures FILE` in the reference CLI) or the built-in fixtures below, which the README
 * documents. The built-in keys are `<keyPrefix>sandbox_…`, so that a brand whose keys must start
 * a certain way (`lk_`, `sk-inference-`) gets fixture keys it accepts.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"

export const Fixtures = Schema.Struct({
  users: Schema.Array(Schema.Struct({
    id: Schema.String,
    email: Schema.String,
    name: Schema.String,
    /** For the OpenID provider's login page. */
    password: Schema.String
  })),
  teams: Schema.Array(Schema.Struct({
    id: Schema.String,
    slug: Schema.String,
    name: Schema.String,
    members: Schema.Array(Schema.String)
  })),
  projects: Schema.Array(Schema.Struct({ id: Schema.String, name: Schema.String, teamId: Schema.String })),
  apiKeys: Schema.Array(Schema.Struct({
    id: Schema.String,
    key: Schema.String,
    name: Schema.String,
    userId: Schema.String,
    /** The teams the key may act for (a subset of its owner's). */
    teams: Schema.Array(Schema.String),
    revoked: Schema.optionalWith(Schema.Boolean, { default: () => false })
  }))
})
export type Fixtures = typeof Fixtures.Type

/**
 * What a key prefix may hold: it goes into `Authorization: Bearer` headers and shell commands.
 */
export const KEY_PREFIX_RULE = "at most 32 characters among letters, digits and . _ ~ + / -"
export const isKeyPrefix = (prefix: string) => /^[A-Za-z0-9._~+/-]{0,32}$/.test(prefix)

/**
 * The built-in fixtures, with API keys that start with `keyPrefix`.
 *
 * @example
 * builtIn("sk-inference-").apiKeys[0].key // "sk-inference-sandbox_alice_acme_4f1c9a7e2b"
 */
export const builtIn = (keyPrefix: string): Fixtures => ({
  ...base,
  apiKeys: base.apiKeys.map((k) => ({ ...k, key: `${keyPrefix}${k.key}` }))
})

const base: Fixtures = {
  users: [
    { id: "usr_alice", email: "alice@example.com", name: "Alice Example", password: "alice-password" },
    { id: "usr_bob", email: "bob@example.com", name: "Bob Example", password: "bob-password" }
  ],
  teams: [
    { id: "team_acme", slug: "acme", name: "Acme Research", members: ["usr_alice", "usr_bob"] },
    { id: "team_globex", slug: "globex", name: "Globex Corporation", members: ["usr_alice"] },
    { id: "team_initech", slug: "initech", name: "Initech Labs", members: ["usr_bob"] }
  ],
  projects: [
    { id: "prj_acme_web", name: "Website", teamId: "team_acme" },
    { id: "prj_acme_ml", name: "Model Training", teamId: "team_acme" },
    { id: "prj_globex_api", name: "Globex API", teamId: "team_globex" },
    { id: "prj_initech_tps", name: "TPS Reports", teamId: "team_initech" }
  ],
  apiKeys: [
    {
      id: "key_alice_acme",
      key: "sandbox_alice_acme_4f1c9a7e2b",
      name: "alice · acme",
      userId: "usr_alice",
      teams: ["team_acme"],
      revoked: false
    },
    {
      id: "key_alice_all",
      key: "sandbox_alice_all_8d3e6b0c51",
      name: "alice · all teams",
      userId: "usr_alice",
      teams: ["team_acme", "team_globex"],
      revoked: false
    },
    {
      id: "key_bob_initech",
      key: "sandbox_bob_initech_27a9f4d6c3",
      name: "bob · initech",
      userId: "usr_bob",
      teams: ["team_initech"],
      revoked: false
    },
    {
      id: "key_alice_revoked",
      key: "sandbox_alice_revoked_0b5e1d9f7a",
      name: "alice · revoked",
      userId: "usr_alice",
      teams: ["team_acme"],
      revoked: true
    }
  ]
}

/** Read and validate a fixtures file; every reference (members, teams, owners) must resolve. */
export const load = (file: string) =>
  Effect.tryPromise({
    try: () => fs.readFile(file, "utf8"),
    catch: (e) => new Error(`cannot read fixtures ${file}: ${e instanceof Error ? e.message : String(e)}`)
  }).pipe(
    Effect.flatMap((text) =>
      Schema.decodeUnknown(Schema.parseJson(Fixtures))(text).pipe(
        Effect.mapError((e) => new Error(`invalid fixtures ${file}: ${e.message.split("\n").slice(0, 4).join(" ")}`))
      )
    ),
    Effect.flatMap((f) => {
      const users = new Set(f.users.map((u) => u.id))
      const teams = new Set(f.teams.map((t) => t.id))
      const broken = [
        ...f.teams.flatMap((t) => t.members.filter((m) => !users.has(m)).map((m) => `team ${t.id}: unknown member ${m}`)),
        ...f.projects.filter((p) => !teams.has(p.teamId)).map((p) => `project ${p.id}: unknown team ${p.teamId}`),
        ...f.apiKeys.flatMap((k) => [
          ...(users.has(k.userId) ? [] : [`key ${k.id}: unknown user ${k.userId}`]),
          ...k.teams.filter((t) => !teams.has(t)).map((t) => `key ${k.id}: unknown team ${t}`)
        ])
      ]
      return broken.length === 0 ? Effect.succeed(f) : Effect.fail(new Error(`invalid fixtures ${file}: ${broken.join("; ")}`))
    })
  )
