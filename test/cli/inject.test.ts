/** `auth inject`: the credential in use into a .env file, in-process, on a real temporary directory. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { parseEnv } from "node:util"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import * as Drive from "../support/Drive.js"
import * as FakePlatform from "../support/FakePlatform.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"
import { ALICE_ALL, BOB, LATCHKEY_SANDBOX } from "../support/SandboxKeys.js"

const isRoot = process.getuid?.() === 0

const setup = (env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make(LATCHKEY_SANDBOX)
    const dir = yield* TempDir.make
    const t = yield* TestLayers.make({ env: { LATCHKEY_API_URL: sandbox.apiUrl, ...env } })
    const file = path.join(dir, ".env")
    const out = () => t.recorded.stdout.join("\n")
    const err = () => t.recorded.stderr.join("\n")
    return { sandbox, dir, file, t, out, err }
  })

const login = (t: Effect.Effect.Success<ReturnType<typeof TestLayers.make>>) =>
  Effect.gen(function*() {
    assert.strictEqual(yield* t.cli("auth", "set-key", ALICE_ALL, "--project", "prj_globex_api"), 0)
  })

describe("auth inject", () => {
  it.scoped("creates the file 0600 with the key, URL and project, and never prints the key", () =>
    Effect.gen(function*() {
      const { err, file, out, sandbox, t } = yield* setup()
      yield* login(t)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 0, err())
      assert.strictEqual(out(), `Wrote LATCHKEY_API_KEY, LATCHKEY_API_URL, LATCHKEY_PROJECT_ID to ${file} (created, mode 0600)`)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
      const text = fs.readFileSync(file, "utf8")
      assert.strictEqual(text, `LATCHKEY_API_KEY=${ALICE_ALL}\nLATCHKEY_API_URL=${sandbox.apiUrl}\nLATCHKEY_PROJECT_ID=prj_globex_api\n`)
      assert.notInclude(out() + err(), ALICE_ALL)
      assert.isFalse(fs.existsSync(`${file}.lock`), "the lock is released")
    }))

  it.scoped("a project directory the user made group-writable (umask 002) is used as it is, and keeps its mode", () =>
    Effect.gen(function*() {
      const { dir, err, file, t } = yield* setup()
      yield* login(t)
      fs.chmodSync(dir, 0o775)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 0, err())
      assert.strictEqual(fs.statSync(dir).mode & 0o777, 0o775)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
      assert.deepStrictEqual(fs.readdirSync(dir), [".env"])
    }))

  it.scoped("-o json: file, created, changed, profile, source, apiUrl, project, variables — and no key", () =>
    Effect.gen(function*() {
      const { file, out, sandbox, t } = yield* setup()
      yield* login(t)
      fs.writeFileSync(file, "LATCHKEY_API_URL=http://old\n")
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file, "-o", "json"), 0)
      assert.deepStrictEqual(JSON.parse(out()), {
        file,
        created: false,
        changed: true,
        profile: "alice-key-0c51",
        source: "current profile",
        apiUrl: sandbox.apiUrl,
        project: "prj_globex_api",
        variables: [
          { name: "LATCHKEY_API_KEY", action: "added" },
          { name: "LATCHKEY_API_URL", action: "replaced" },
          { name: "LATCHKEY_PROJECT_ID", action: "added" }
        ]
      })
      assert.notInclude(out(), ALICE_ALL)
      // Again: nothing to change, and the file is left as it is.
      const before = fs.readFileSync(file)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file, "-q", ".changed"), 0)
      assert.strictEqual(out(), "false")
      assert.isTrue(fs.readFileSync(file).equals(before))
    }))

  it.scoped("keeps every other line byte for byte: comments, order, export, quoting, CRLF, no final newline", () =>
    Effect.gen(function*() {
      const { file, sandbox, t } = yield* setup()
      yield* login(t)
      const other = ["# app settings\r\n", "export DATABASE_URL='postgres://db/app'  # local\r\n", "\r\n", "GREETING=\"hello # not a comment\"\r\n"]
      fs.writeFileSync(file, `${other[0]}export LATCHKEY_API_KEY="lk_old"\r\n${other[1]}${other[2]}${other[3]}LAST=1`, { mode: 0o644 })
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 0)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600, "it now holds a key")
      const after = fs.readFileSync(file, "utf8")
      assert.strictEqual(
        after,
        `${other[0]}export LATCHKEY_API_KEY="${ALICE_ALL}"\r\n${other[1]}${other[2]}${other[3]}LAST=1\r\nLATCHKEY_API_URL=${sandbox.apiUrl}\r\nLATCHKEY_PROJECT_ID=prj_globex_api`
      )
      const env = parseEnv(after)
      assert.deepStrictEqual([env["LATCHKEY_API_KEY"], env["GREETING"], env["DATABASE_URL"]], [ALICE_ALL, "hello # not a comment", "postgres://db/app"])
    }))

  it.scoped("--profile and an API key in the environment choose the credential, as everywhere", () =>
    Effect.gen(function*() {
      const { file, out, t } = yield* setup({ LATCHKEY_API_KEY: BOB })
      yield* login(t)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file, "-q", ".source"), 0)
      assert.strictEqual(out(), "LATCHKEY_API_KEY")
      assert.strictEqual(parseEnv(fs.readFileSync(file, "utf8"))["LATCHKEY_API_KEY"], BOB)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file, "--profile", "alice-key-0c51", "-q", ".source"), 0)
      assert.strictEqual(out(), "--profile")
      assert.strictEqual(parseEnv(fs.readFileSync(file, "utf8"))["LATCHKEY_API_KEY"], ALICE_ALL)
    }))

  it.scoped("a file it cannot parse is one line, exit 1, and left byte for byte", () =>
    Effect.gen(function*() {
      const { file, t } = yield* setup()
      yield* login(t)
      const broken = "A=1\nB=\"never closed\nC=3\n"
      fs.writeFileSync(file, broken, { mode: 0o644 })
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 1)
      assert.deepStrictEqual(t.recorded.stdout, [])
      assert.deepStrictEqual(t.recorded.stderr, [`latchkey: cannot use ${file}: line 2: the " quote never closes (the file was left as it is)`])
      assert.strictEqual(fs.readFileSync(file, "utf8"), broken)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o644)
    }))

  it.scoped("text that is not UTF-8, a directory, a missing directory: one line, exit 1, nothing written", () =>
    Effect.gen(function*() {
      const { dir, file, t } = yield* setup()
      yield* login(t)
      const latin1 = Buffer.from([0x41, 0x3d, 0xe9, 0x0a])
      fs.writeFileSync(file, latin1)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 1)
      assert.deepStrictEqual(t.recorded.stderr, [`latchkey: cannot use ${file}: not UTF-8 text (the file was left as it is)`])
      assert.isTrue(fs.readFileSync(file).equals(latin1))
      const big = path.join(dir, "big.env")
      fs.writeFileSync(big, `A=${"x".repeat(1024 * 1024)}\n`)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", big), 1)
      assert.deepStrictEqual(t.recorded.stderr, [`latchkey: cannot use ${big}: larger than 1 MiB (the file was left as it is)`])
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", dir), 1)
      assert.include(t.recorded.stderr.join("\n"), "not a regular file")
      const nowhere = path.join(dir, "missing", "x.env")
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", nowhere), 1)
      assert.deepStrictEqual(t.recorded.stderr, [`latchkey: cannot write ${nowhere}: no directory ${path.dirname(nowhere)}`])
      assert.isFalse(fs.existsSync(path.dirname(nowhere)))
    }))

  it.scoped.skipIf(isRoot)("a file it cannot read (mode 000) is one line, exit 1, untouched", () =>
    Effect.gen(function*() {
      const { file, t } = yield* setup()
      yield* login(t)
      fs.writeFileSync(file, "A=1\n", { mode: 0o000 })
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 1)
      assert.deepStrictEqual(t.recorded.stderr, [`latchkey: cannot use ${file}: permission denied (the file was left as it is)`])
      fs.chmodSync(file, 0o600)
      assert.strictEqual(fs.readFileSync(file, "utf8"), "A=1\n")
    }))

  it.scoped("a symbolic link to the user's own file is written through, and stays a link", () =>
    Effect.gen(function*() {
      const { dir, file, t } = yield* setup()
      yield* login(t)
      const real = path.join(dir, "real.env")
      fs.writeFileSync(real, "# real\n")
      fs.symlinkSync(real, file)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file, "-q", ".file"), 0)
      assert.strictEqual(t.recorded.stdout.join(""), fs.realpathSync(real))
      assert.isTrue(fs.lstatSync(file).isSymbolicLink())
      assert.isTrue(fs.readFileSync(real, "utf8").startsWith("# real\nLATCHKEY_API_KEY="))
    }))

  it.scoped("a dangling symbolic link, or one to another user's file, is refused and nothing is written", () =>
    Effect.gen(function*() {
      const { dir, file, t } = yield* setup()
      yield* login(t)
      fs.symlinkSync(path.join(dir, "nowhere.env"), file)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 1)
      assert.deepStrictEqual(t.recorded.stderr, [`latchkey: cannot use ${file}: a symbolic link to a file that does not exist (the file was left as it is)`])
      assert.isFalse(fs.existsSync(path.join(dir, "nowhere.env")))
      if (!isRoot) return // only root can give a file to another user
      const theirs = path.join(dir, "theirs.env")
      fs.writeFileSync(theirs, "THEIRS=1\n")
      fs.chownSync(theirs, 65534, 65534)
      const link = path.join(dir, "link.env")
      fs.symlinkSync(theirs, link)
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", link), 1)
      assert.deepStrictEqual(t.recorded.stderr, [`latchkey: cannot use ${link}: a symbolic link to a file owned by another user (the file was left as it is)`])
      assert.strictEqual(fs.readFileSync(theirs, "utf8"), "THEIRS=1\n")
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", theirs), 1)
      assert.include(t.recorded.stderr.join(""), "owned by another user")
    }))

  it.scoped("not logged in: exit 4, no file", () =>
    Effect.gen(function*() {
      const { file, t } = yield* setup()
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 4)
      assert.isFalse(fs.existsSync(file))
    }))

  it.effect("a login session is refused with one line suggesting an API key; the file is untouched and no token is refreshed", () =>
    Effect.gen(function*() {
      const platform = yield* FakePlatform.make()
      const dir = yield* TempDir.make
      const file = path.join(dir, ".env")
      fs.writeFileSync(file, "KEEP=1\n")
      const t = yield* TestLayers.make({ http: platform.layer, env: { LATCHKEY_API_URL: FakePlatform.API } })
      assert.strictEqual(yield* Drive.toEnd(t.cli("auth", "login", "--team", "acme")), 0)
      const refreshes = platform.refreshes
      assert.strictEqual(yield* t.cli("auth", "inject", "--env-file", file), 1)
      assert.deepStrictEqual(t.recorded.stdout, [])
      assert.strictEqual(t.recorded.stderr.length, 1)
      assert.match(t.recorded.stderr[0]!, /^latchkey: profile alice@example\.com is a login session, whose access token expires within the hour; `latchkey auth inject` writes only API keys/)
      assert.strictEqual(fs.readFileSync(file, "utf8"), "KEEP=1\n")
      assert.strictEqual(platform.refreshes, refreshes)
    }).pipe(Effect.scoped))
})
