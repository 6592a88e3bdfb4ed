/**
 * What every HTTP client of latchkey's does the same way: transport failures and timeouts become
 * one-line `ApiError`s naming the URL, and bodies are decoded with a Schema.
 *
 * Nothing here ever quotes what was sent or received: a transport error's own message can hold a
 * request header (the bearer token), a JSON syntax error quotes the body, and a schema error the
 * value it refused (a `device_code`, a token). Messages name the error code, the path in the body
 * and the type expected, nothing more.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as AST from "effect/SchemaAST"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ApiError } from "../Errors.js"
import { sanitize, truncate } from "./text.js"

/**
 * Why a request failed, from its `cause`: the socket error's code (ECONNREFUSED, ENOTFOUND, …),
 * else the error's own message with every value in `secrets` replaced by `[redacted]`, cleaned
 * and bounded. fetch's messages can quote a header (`Headers.append: "Bearer …" is an invalid
 * header value`), so `send` passes the request's header and form values as `secrets`.
 */
export const causeMessage = (cause: unknown, secrets: ReadonlyArray<string> = []): string => {
  const scrub = (message: string) =>
    truncate(
      sanitize([...secrets]
        .filter((s) => s.length >= 4)
        .sort((a, b) => b.length - a.length)
        .reduce((text, secret) => text.split(secret).join("[redacted]"), message)).trim(),
      300
    )
  let current: unknown = cause
  for (let i = 0; i < 4 && current instanceof Error; i++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string" && /^[A-Z0-9_]{1,64}$/.test(code)) {
      // The code, and what it means when the message says more (`UNABLE_TO_VERIFY_LEAF_SIGNATURE (unable to verify …)`).
      const detail = scrub(current.message)
      return detail === "" || detail.includes(code) ? code : `${code} (${detail})`
    }
    current = current.cause
  }
  if (cause instanceof RangeError) return TOO_DEEP
  const shown = scrub(cause instanceof Error ? cause.message : typeof cause === "string" ? cause : "")
  if (shown !== "") return shown
  return cause instanceof Error && /^[A-Za-z]{1,40}$/.test(cause.name) ? cause.name : "unknown cause"
}

const TOO_DEEP = "too deeply nested"

// Header values that carry no secret; every other one (Authorization, cookies, …) is kept out of messages.
const PLAIN_HEADERS = new Set(["accept", "accept-encoding", "content-type", "content-length", "user-agent", "host"])

/** The values of `request` that must never appear in a message: header values, and form fields of its body. */
const secretsOf = (request: HttpClientRequest.HttpClientRequest): ReadonlyArray<string> => {
  const values: Array<string> = []
  for (const [name, value] of Object.entries(request.headers)) {
    if (!PLAIN_HEADERS.has(name.toLowerCase())) values.push(value, value.replace(/^\S+\s+/, ""))
  }
  if (request.body._tag === "Uint8Array") {
    const text = new TextDecoder().decode(request.body.body)
    for (const [, value] of new URLSearchParams(text)) values.push(value)
  }
  return values
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
      RequestError: (e) => new ApiError({ url, reason: causeMessage(e.cause, secretsOf(request)) }),
      ResponseError: (e) => new ApiError({ url, reason: causeMessage(e.cause ?? e.message, secretsOf(request)) })
    }),
    Effect.flatMap(onResponse),
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => new ApiError({ url, reason: `no answer within ${Duration.format(timeout)}` })
    })
  )

// --- Describing a schema failure without its value ---------------------------------------------

const KEYWORDS: Partial<Record<AST.AST["_tag"], string>> = {
  StringKeyword: "a string",
  NumberKeyword: "a number",
  BooleanKeyword: "a boolean",
  BigIntKeyword: "an integer",
  TypeLiteral: "an object",
  TupleType: "an array",
  UndefinedKeyword: "nothing",
  UnknownKeyword: "a value",
  Enums: "one of the documented values"
}

/** What `ast` expects, from the schema alone (its literals, its type), never from the input. */
const expected = (ast: AST.AST): string => {
  const described = AST.getDescriptionAnnotation(ast)
  if (Option.isSome(described) && ast._tag === "Refinement") return described.value
  switch (ast._tag) {
    case "Literal":
      return JSON.stringify(ast.literal) ?? String(ast.literal)
    case "Union":
      return ast.types.map(expected).join(" or ")
    case "Refinement":
      return expected(ast.from)
    case "Transformation":
      return expected(ast.from)
    case "Suspend":
      return "a value of the documented shape"
    case "Declaration":
      return "a value of the documented shape"
    default:
      return KEYWORDS[ast._tag] ?? "a value of the documented shape"
  }
}

const pathText = (path: ReadonlyArray<PropertyKey>) =>
  path.length === 0
    ? "the top level"
    : path.map((p) => typeof p === "number" ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(String(p)) ? `.${String(p)}` : `[${JSON.stringify(String(p))}]`).join("")

/** The first failure in `issue`: where it is and what was expected there. Iterative, so a deep tree cannot overflow the stack. */
export const describeIssue = (issue: ParseResult.ParseIssue): string => {
  const path: Array<PropertyKey> = []
  let current: ParseResult.ParseIssue = issue
  for (let depth = 0; depth < 10_000; depth++) {
    switch (current._tag) {
      case "Pointer": {
        const p = current.path
        if (Array.isArray(p)) path.push(...(p as ReadonlyArray<PropertyKey>))
        else path.push(p as PropertyKey)
        current = current.issue
        continue
      }
      case "Composite": {
        const issues = current.issues
        current = Array.isArray(issues) ? issues[0] : issues as ParseResult.ParseIssue
        continue
      }
      case "Refinement":
        if (current.kind === "From") {
          current = current.issue
          continue
        }
        return `at ${pathText(path)} expected ${expected(current.ast)}`
      case "Transformation":
        current = current.issue
        continue
      case "Missing":
        return `at ${pathText(path)} a required value is missing`
      case "Unexpected":
        return `at ${pathText(path)} a value is not allowed`
      case "Forbidden":
        return `at ${pathText(path)} a value could not be checked`
      case "Type":
        return `at ${pathText(path)} expected ${expected(current.ast)}`
    }
  }
  return TOO_DEEP
}

/** Parse `text` as JSON; a failure says what kind, never quoting the text. */
export const parseJson = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(text))
  } catch (e) {
    return Either.left(e instanceof RangeError ? TOO_DEEP : "the body is not JSON")
  }
}

/** Decode `input` with `schema`; failures are one line naming the path and the expected type. */
export const decodeValue = <A, I>(schema: Schema.Schema<A, I>, input: unknown): Either.Either<A, string> => {
  try {
    return Either.mapLeft(Schema.decodeUnknownEither(schema, { errors: "first" })(input), (e) => describeIssue(e.issue))
  } catch (e) {
    // A body nested deeper than the stack: Schema and JSON recurse.
    return Either.left(e instanceof RangeError ? TOO_DEEP : "the body could not be decoded")
  }
}

/** Read and parse a JSON body, whatever its status; every failure is a one-line reason. */
export const readJson = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<unknown, string> =>
  response.text.pipe(
    Effect.mapError((e) => `could not read the response: ${causeMessage(e.cause)}`),
    Effect.flatMap((text) => Either.match(parseJson(text), { onLeft: (r) => Effect.fail(`unexpected response: ${r}`), onRight: Effect.succeed }))
  )

/** Decode a JSON body; anything else is an `ApiError` saying what was unexpected, without quoting it. */
export const decode = <A, I>(url: string, schema: Schema.Schema<A, I>) => (response: HttpClientResponse.HttpClientResponse): Effect.Effect<A, ApiError> =>
  readJson(response).pipe(
    Effect.flatMap((json) =>
      Either.match(decodeValue(schema, json), {
        onLeft: (reason) => Effect.fail(`unexpected response: ${reason}`),
        onRight: Effect.succeed
      })
    ),
    Effect.mapError((reason) => new ApiError({ url, reason }))
  )
