/**
 * What every HTTP client of latchkey's does the same way: transport failures and timeouts become
 * one-line `ApiError`s naming the URL, and bodies are decoded with a Schema.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import { ApiError } from "../Errors.js"

/** fetch wraps the socket error (ECONNREFUSED, ENOTFOUND) in `cause`: name that. */
export const causeMessage = (cause: unknown): string => {
  let current: unknown = cause
  for (let i = 0; i < 4 && current instanceof Error; i++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return `${code}${current.message.includes(code) ? "" : ` (${current.message})`}`
    current = current.cause
  }
  return cause instanceof Error ? cause.message : String(cause)
}

/** Send `request` and handle the response, all within `timeout`. */
export const send = <A, E>(
  client: HttpClient.HttpClient,
  timeout: Duration.Duration,
  url: string,
  request: HttpClientRequest.HttpClientRequest,
  onResponse: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, E>
): Effect.Effect<A, E | ApiError> =>
  client.execute(request).pipe(
    Effect.catchTags({
      RequestError: (e) => new ApiError({ url, reason: causeMessage(e.cause) }),
      ResponseError: (e) => new ApiError({ url, reason: causeMessage(e.cause ?? e.message) })
    }),
    Effect.flatMap(onResponse),
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => new ApiError({ url, reason: `no answer within ${Duration.format(timeout)}` })
    })
  )

/** Decode a JSON body; anything else is an `ApiError` saying what was unexpected. */
export const decode = <A, I>(url: string, schema: Schema.Schema<A, I>) => (response: HttpClientResponse.HttpClientResponse) =>
  HttpClientResponse.schemaBodyJson(schema)(response).pipe(
    Effect.mapError((e) =>
      new ApiError({
        url,
        reason: e._tag === "ParseError"
          ? `unexpected response: ${e.message.split("\n").slice(0, 3).join(" ")}`
          : `could not read the response: ${causeMessage(e.cause)}`
      })
    )
  )
