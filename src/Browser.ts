/**
 * Opening a URL in the user's browser. The live layer honours `$BROWSER`, else uses the
 * platform's opener (`xdg-open`, `open`, `start`); failing to open is not an error — the URL is
 * on screen anyway. The recording layer keeps the URLs for tests.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { spawn } from "node:child_process"

export interface BrowserShape {
  /** True when a browser was started. */
  readonly open: (url: string) => Effect.Effect<boolean>
}

export class Browser extends Context.Tag("latchkey/Browser")<Browser, BrowserShape>() {}

const command = (url: string): [string, Array<string>] => {
  const custom = process.env["BROWSER"]
  if (custom) return [custom, [url]]
  if (process.platform === "darwin") return ["open", [url]]
  if (process.platform === "win32") return ["cmd", ["/c", "start", "", url]]
  return ["xdg-open", [url]]
}

export const layer: Layer.Layer<Browser> = Layer.succeed(
  Browser,
  Browser.of({
    open: (url) =>
      Effect.async<boolean>((resume) => {
        const [cmd, args] = command(url)
        try {
          const child = spawn(cmd, args, { stdio: "ignore", detached: true })
          child.once("error", () => resume(Effect.succeed(false)))
          child.once("spawn", () => {
            child.unref()
            resume(Effect.succeed(true))
          })
        } catch {
          resume(Effect.succeed(false))
        }
      })
  })
)

export const makeRecording = Effect.gen(function*() {
  const opened = yield* Ref.make<ReadonlyArray<string>>([])
  const browser = Browser.of({ open: (url) => Ref.update(opened, (o) => [...o, url]).pipe(Effect.as(true)) })
  return { browser, opened: Ref.get(opened) }
})
