/**
 * The published package, as an embedder gets it: `npm pack`, installed offline into a project of
 * its own (from the local npm cache, which `npm ci` filled), a small CLI of another brand written
 * against `latchkey` and `latchkey/cli`, type-checked by tsc, run against the sandbox.
 *
 * The project's lockfile is latchkey's own, less its development packages: `npm ci` fetches only
 * tarballs, which the cache holds after this repository's `npm ci`, whereas resolving version
 * ranges would need the registry's package documents, which it may not.
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { ALICE_ACME } from "../support/SandboxKeys.js"
import * as Subprocess from "../support/Subprocess.js"

const sandbox = Subprocess.sandboxForFile()

/** Run a tool to its end; its output is in the result (and in the assertion message on failure). */
const exec = (command: string, args: ReadonlyArray<string>, options: { cwd: string; env?: Record<string, string | undefined> }) =>
  new Promise<Subprocess.Result>((resolve, reject) => {
    const child = Subprocess.track(spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env }))
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end()
  })

/** The embedder's whole CLI: their brand, latchkey's live layers and command kit. */
const ACME_SOURCE = `import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import { Brand, ConfigLocation, Layers } from "latchkey"
import { run } from "latchkey/cli"

const brand = Brand.make({ name: "acme", version: "1.2.3", envPrefix: "ACME_", config: ConfigLocation.osConfigDir("acme"), keyringService: "acme" })

NodeRuntime.runMain(run(process.argv.slice(2)).pipe(Effect.provide(Layers.layerLive(brand))), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(exit._tag === "Success" && typeof exit.value === "number" ? exit.value : 1)
})
`

/** A type error the embedder's tsc must catch: the package's types are real, not \`any\`. */
const WRONG_SOURCE = `import { Brand } from "latchkey"
import { makeRoot } from "latchkey/cli"
export const brand: Brand.BrandShape = Brand.make({ name: 42 })
export const root = makeRoot(brand.name)
`

let project = ""
let timings: Record<string, number> = {}

const timed = async <A>(name: string, f: () => Promise<A>): Promise<A> => {
  const started = Date.now()
  try {
    return await f()
  } finally {
    timings[name] = Date.now() - started
  }
}

beforeAll(async () => {
  Subprocess.assertBuilt()
  if (!fs.existsSync(path.join(Subprocess.ROOT, "dist", "lib", "index.d.ts"))) {
    throw new Error("dist/lib is missing: run `npm run build` first (npm test does)")
  }
  const dir = Subprocess.tempDir()
  project = path.join(dir, "acme")
  fs.mkdirSync(project)

  const packed = await timed("npm pack", () => exec("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: Subprocess.ROOT }))
  assert.strictEqual(packed.code, 0, packed.stderr)
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
  const tarball = path.join(dir, info!.filename)
  const shipped = info!.files.map((f) => f.path)
  // What ships: the bundle, the launcher, the library and its types, the README; no sources or tests.
  for (const file of ["bin/latchkey", "dist/latchkey.cjs", "dist/lib/index.js", "dist/lib/index.d.ts", "dist/lib/cli/index.d.ts", "dist/lib/sandbox/index.d.ts", "dist/lib/testing/index.d.ts", "README.md", "package.json"]) {
    assert.include(shipped, file)
  }
  assert.deepStrictEqual(shipped.filter((f) => /^(src|test|scripts)\//.test(f) || f.startsWith("dist/lib/bin")), [])

  const pkg = JSON.parse(fs.readFileSync(path.join(Subprocess.ROOT, "package.json"), "utf8"))
  const lock = JSON.parse(fs.readFileSync(path.join(Subprocess.ROOT, "package-lock.json"), "utf8"))
  const dependency = `file:${path.relative(project, tarball)}`
  const packages: Record<string, unknown> = {
    "": { name: "acme", version: "1.0.0", dependencies: { latchkey: dependency } },
    "node_modules/latchkey": {
      version: pkg.version,
      resolved: dependency,
      integrity: `sha512-${createHash("sha512").update(fs.readFileSync(tarball)).digest("base64")}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta,
      bin: pkg.bin,
      engines: pkg.engines
    }
  }
  for (const [key, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean }>)) {
    if (key.startsWith("node_modules/") && entry.dev !== true) packages[key] = entry
  }
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "acme", version: "1.0.0", private: true, type: "module", dependencies: { latchkey: dependency } }))
  fs.writeFileSync(path.join(project, "package-lock.json"), JSON.stringify({ name: "acme", version: "1.0.0", lockfileVersion: 3, requires: true, packages }))
  const installed = await timed("npm ci --offline", () =>
    exec("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: project })
  )
  assert.strictEqual(installed.code, 0, `${installed.stdout}\n${installed.stderr}`)

  fs.writeFileSync(path.join(project, "acme.ts"), ACME_SOURCE)
  fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      // The embedder's own @types/node would sit in their node_modules; this repository's serves.
      typeRoots: [path.join(Subprocess.ROOT, "node_modules", "@types")],
      types: ["node"],
      outDir: "out"
    },
    files: ["acme.ts"]
  }))
}, 120_000)

// The installed project weighs tens of megabytes: it goes when the file's tests end.
afterAll(() => {
  if (project !== "") fs.rmSync(path.dirname(project), { recursive: true, force: true })
})

describe("the npm package", () => {
  it("installs offline without oidc-provider; an embedder's CLI type-checks and runs against the sandbox", async () => {
    const tsc = path.join(Subprocess.ROOT, "node_modules", "typescript", "bin", "tsc")
    // The sandbox's provider is an optional peer: an embedder's CLI runs without it.
    assert.isFalse(fs.existsSync(path.join(project, "node_modules", "oidc-provider")))
    assert.isTrue(fs.existsSync(path.join(project, "node_modules", "latchkey", "dist", "lib", "index.js")))

    // tsc type-checks the embedder's program against the package's .d.ts and emits it.
    const compiled = await timed("tsc", () => exec(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }))
    assert.strictEqual(compiled.code, 0, compiled.stdout + compiled.stderr)

    const home = Subprocess.tempDir()
    const configDir = path.join(home, "acme-config")
    const env = Subprocess.baseEnv({ HOME: home, ACME_CONFIG_DIR: configDir, ACME_API_URL: sandbox.apiUrl, ACME_KEYRING: "0" })
    const acme = (...args: Array<string>) => exec(process.execPath, ["--", path.join(project, "out", "acme.js"), ...args], { cwd: project, env })

    const version = await acme("--version")
    assert.deepStrictEqual([version.code, version.stdout.trim()], [0, "1.2.3"], version.stderr)

    // Not logged in: one line naming the embedder's CLI, and a failing exit code.
    const before = await acme("auth", "status")
    assert.notStrictEqual(before.code, 0)
    assert.match(before.stderr, /^acme: /)

    const set = await timed("acme auth set-key", () => acme("auth", "set-key", ALICE_ACME))
    assert.strictEqual(set.code, 0, set.stderr)
    const status = await acme("auth", "status", "-o", "json")
    assert.strictEqual(status.code, 0, status.stderr)
    const view = JSON.parse(status.stdout)
    assert.deepStrictEqual([view.method, view.user.email, view.apiUrl], ["api-key", "alice@example.com", sandbox.apiUrl])
    // The brand's variables decided where the profile went.
    assert.isTrue(fs.existsSync(path.join(configDir, "config.json")))

    const help = await acme("--help")
    assert.strictEqual(help.code, 0, help.stderr)
    assert.include(help.stdout, "ACME_API_KEY")
    assert.notInclude(help.stdout, "LATCHKEY_")
    console.log(`package test timings (ms): ${JSON.stringify(timings)}`)
  })

  it("the package's types are real: tsc refuses a wrong use of them", async () => {
    fs.writeFileSync(path.join(project, "wrong.ts"), WRONG_SOURCE)
    const tsc = path.join(Subprocess.ROOT, "node_modules", "typescript", "bin", "tsc")
    const checked = await exec(process.execPath, [tsc, "--noEmit", "--strict", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--skipLibCheck", "wrong.ts"], { cwd: project })
    assert.notStrictEqual(checked.code, 0)
    assert.match(checked.stdout, /wrong\.ts\(3,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/)
  })
})
