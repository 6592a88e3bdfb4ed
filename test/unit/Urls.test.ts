/** The transport policy: where a credential may be sent. */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Urls from "../../src/Urls.js"
import { cliText } from "../support/CliText.js"

describe("Urls.transportProblem", () => {
  it("https anywhere; plain http only to 127.0.0.0/8, ::1 and localhost", () => {
    for (
      const url of [
        "https://api.example.com",
        "https://10.0.0.5:8443/x",
        "http://127.0.0.1:4477",
        "http://127.1.2.3",
        "http://127.1", // the URL parser normalizes it to 127.0.0.1
        "http://[::1]:8080/",
        "http://[0:0:0:0:0:0:0:1]/",
        "http://localhost:3000",
        "http://LOCALHOST"
      ]
    ) assert.isUndefined(Urls.transportProblem(url, false), url)
    for (
      const url of [
        "http://api.example.com",
        "http://10.0.0.5",
        "http://128.0.0.1",
        "http://127.0.0.1.evil.test",
        "http://localhost.evil.test",
        "http://0.0.0.0",
        "http://[::2]"
      ]
    ) assert.include(Urls.transportProblem(url, false) ?? "", "cleartext", url)
  })

  it("--allow-http allows plain http to any host, and nothing but http(s)", () => {
    assert.isUndefined(Urls.transportProblem("http://api.example.com", true))
    for (const url of ["file:///etc/passwd", "javascript:alert(1)", "ftp://x.test", "smb://x/y"]) {
      assert.strictEqual(Urls.transportProblem(url, true), "is not an http(s) URL", url)
    }
    assert.strictEqual(Urls.transportProblem("api.example.com", true), "is not an absolute URL")
  })
})

describe("Urls.checkTransport", () => {
  it("a refused URL typed by the user is a usage error; one from a server or a file is not", () => {
    const typed = Urls.checkTransport("http://api.example.com", { what: "--api-url", allowHttp: false, usage: true })
    const served = Urls.checkTransport("http://api.example.com", { what: "the issuer", allowHttp: false })
    assert.isTrue(Either.isLeft(typed) && typed.left._tag === "UsageError")
    assert.isTrue(Either.isLeft(served) && served.left._tag === "InvalidInput")
    if (Either.isLeft(typed)) {
      assert.strictEqual(
        cliText(typed.left),
        `--api-url "http://api.example.com" is plain http to another host, which would send credentials in cleartext; use https, or add the environment with --allow-http`
      )
    }
    assert.deepStrictEqual(Urls.checkTransport("https://api.example.com", { what: "x", allowHttp: false }), Either.right("https://api.example.com"))
  })

  it("shows a hostile URL without its escape sequences, and cut short", () => {
    const result = Urls.checkTransport(`http://a.test/\x1b]0;pwned\x07${"x".repeat(5000)}`, { what: "the issuer", allowHttp: false })
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.notInclude(result.left.message, "\x1b")
      assert.isBelow(result.left.message.length, 400)
    }
  })
})

describe("Urls.checkMetadata", () => {
  const metadata = {
    issuer: "https://id.test",
    token_endpoint: "https://id.test/token",
    jwks_uri: "https://id.test/jwks",
    device_authorization_endpoint: "https://id.test/device",
    revocation_endpoint: "https://id.test/revoke",
    userinfo_endpoint: "https://id.test/userinfo"
  }

  it("refuses any endpoint over plain http to another host, naming it", () => {
    assert.isTrue(Either.isRight(Urls.checkMetadata(metadata, { allowHttp: false })))
    const names = {
      issuer: "the issuer",
      token_endpoint: "the token endpoint",
      jwks_uri: "the JWKS URI",
      device_authorization_endpoint: "the device authorization endpoint",
      revocation_endpoint: "the revocation endpoint",
      userinfo_endpoint: "the userinfo endpoint"
    } as const
    for (const [field, what] of Object.entries(names)) {
      const hostile = { ...metadata, [field]: "http://evil.test/x" }
      const result = Urls.checkMetadata(hostile, { allowHttp: false })
      assert.isTrue(Either.isLeft(result), field)
      if (Either.isLeft(result)) assert.include(result.left.message, `${what} in the provider's metadata "http://evil.test/x"`)
      assert.isTrue(Either.isRight(Urls.checkMetadata(hostile, { allowHttp: true })), field)
    }
    const { revocation_endpoint: _r, userinfo_endpoint: _u, ...minimal } = metadata
    assert.isTrue(Either.isRight(Urls.checkMetadata(minimal, { allowHttp: false })), "absent endpoints are skipped")
  })
})
