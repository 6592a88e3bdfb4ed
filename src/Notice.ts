/**
 * What library code has to tell the user while a use case runs, as data: the team a login chose,
 * a secret going to the plaintext file, an environment variable shadowing a stored profile.
 * Library code never prints; it hands each `Notice` to the `Notices` service, and the CLI layer
 * renders it (with its own verb and flag names) as it happens, so an announcement that must come
 * *before* a side effect (the plaintext fallback, before the file is written) does.
 *
 * ```ts
 * const recording = Notices.makeRecording()
 * yield* Teams.choose(teams, Option.none(), false).pipe(Effect.provideService(Notices.Notices, recording.notices))
 * recording.recorded // [{ _tag: "TeamChosen", team, of: 2, choices: ["acme", "globex"] }]
 * ```
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Team } from "./ConfigStore.js"

export type Notice = Data.TaggedEnum<{
  /** Several teams, nobody to ask: the first was taken. `choices` are the slugs, in order. */
  TeamChosen: { readonly team: Team; readonly of: number; readonly choices: ReadonlyArray<string> }
  /** The OS keyring refused or timed out; the secret goes to the 0600 `file` instead. */
  KeyringFallback: { readonly reason: string; readonly file: string; readonly disableVariable: string | undefined }
  /** Plaintext storage chosen without trying the keyring: by the caller's option, or by `variable`=0. */
  PlaintextChosen: { readonly file: string; readonly by: "option" | "variable"; readonly variable: string | undefined }
  /** `variable` (an API key) wins over the stored `profile`; `useProfileVariable`=1 would use the profile. */
  EnvShadowsProfile: { readonly variable: string; readonly profile: string; readonly useProfileVariable: string | undefined }
}>

export const Notice = Data.taggedEnum<Notice>()

export interface NoticesShape {
  /** Deliver one notice now, before the use case goes on. */
  readonly notify: (notice: Notice) => Effect.Effect<void>
}

/** Where notices go. The CLI provides one that prints them; tests and embedders may record them. */
export class Notices extends Context.Tag("latchkey/Notices")<Notices, NoticesShape>() {}

export const notify = (notice: Notice): Effect.Effect<void, never, Notices> =>
  Effect.flatMap(Notices, (notices) => notices.notify(notice))

/** A Notices service that keeps every notice, in order, in `recorded`. */
export const makeRecording = () => {
  const recorded: Array<Notice> = []
  const notices: NoticesShape = {
    notify: (notice) =>
      Effect.sync(() => {
        recorded.push(notice)
      })
  }
  return { notices, recorded }
}

/** Delivers notices to `f` (the CLI's renderer, an embedder's logger). */
export const layer = (f: (notice: Notice) => Effect.Effect<void>): Layer.Layer<Notices> => Layer.succeed(Notices, { notify: f })
