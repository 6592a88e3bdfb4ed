/**
 * An in-memory HttpClient: each expected request is answered by its handler, in any order; an
 * unexpected request is a defect, and `verify` fails the test if an expectation was never used
 * (as gh's httpmock registry does).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface Stub {
  readonly method: string
  readonly url: string
  /** How many times it may be used (default once). */
  readonly times?: number
  readonly respond: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<Response, HttpClientError.HttpClientError>
}

export const json = (status: number, body: unknown) =>
  Effect.succeed(new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }))

export const make = (stubs: ReadonlyArray<Stub>) => {
  const remaining = stubs.map((s) => ({ ...s, left: s.times ?? 1 }))
  const seen: Array<{ method: string; url: string; authorization: string | undefined }> = []
  const client = HttpClient.make((request) =>
    Effect.gen(function*() {
      seen.push({ method: request.method, url: request.url, authorization: request.headers["authorization"] })
      const stub = remaining.find((s) => s.method === request.method && s.url === request.url && s.left > 0)
      if (!stub) return yield* Effect.dieMessage(`unexpected request ${request.method} ${request.url}`)
      stub.left--
      const response = yield* stub.respond(request)
      return HttpClientResponse.fromWeb(request, response)
    })
  )
  const verify = Effect.sync(() => {
    const unused = remaining.filter((s) => s.left > 0 && s.times === undefined)
    if (unused.length > 0) {
      throw new Error(`expected requests never made: ${unused.map((s) => `${s.method} ${s.url}`).join(", ")}`)
    }
  })
  return { layer: Layer.succeed(HttpClient.HttpClient, client), seen, verify }
}
