/**
 * The package's entry points (package.json `exports`): every public module is exported, nothing
 * under `internal/` is, and the reference CLI's bin imports only what an embedder can import.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "vitest"
import * as Cli from "../../src/cli/index.js"
import * as Latchkey from "../../src/index.js"
import * as SandboxEntry from "../../src/sandbox/index.js"
import * as Testing from "../../src/testing/index.js"

const ROOT = path.resolve(import.meta.dirname, "..", "..")
const modulesIn = (dir: string, except: ReadonlyArray<string> = []) =>
  fs.readdirSync(path.join(ROOT, dir))
    .filter((f) => /^[A-Z]\w*\.ts$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .filter((m) => !except.includes(m))
    .sort()
/** The relative imports of a source file (`./x.js`, `../y.js`), static and dynamic. */
const localImports = (file: string) =>
  [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/(?:from|import\()\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!)

describe("entry points", () => {
  it("latchkey exports every module of src/ as a namespace", () => {
    assert.deepStrictEqual(Object.keys(Latchkey).sort(), modulesIn("src"))
    for (const value of Object.values(Latchkey)) assert.strictEqual(typeof value, "object")
  })

  it("latchkey/cli, latchkey/sandbox and latchkey/testing export their modules", () => {
    for (const m of ["Cli", "CommandLine", "Commands", "Globals", "Help", "Jq", "Render"]) assert.property(Cli, m)
    assert.strictEqual(Cli.run, Cli.Cli.run)
    assert.strictEqual(Cli.makeRoot, Cli.Cli.makeRoot)
    assert.deepStrictEqual(Object.keys(Testing).sort(), modulesIn("src/testing"))
    assert.deepStrictEqual(Object.keys(SandboxEntry).sort(), ["Fixtures", "Sandbox"])
  })

  it("no entry point re-exports a module under internal/", () => {
    for (const entry of ["src/index.ts", "src/cli/index.ts", "src/sandbox/index.ts", "src/testing/index.ts"]) {
      const imports = localImports(entry)
      assert.isAbove(imports.length, 0, entry)
      assert.deepStrictEqual(imports.filter((i) => i.includes("internal/")), [], entry)
    }
  })

  it("the reference CLI's bin imports only the entry points an embedder can import", () => {
    assert.deepStrictEqual(localImports("src/bin.ts").sort(), ["./cli/index.js", "./index.js"])
  })

  it("package.json exports the four entries, with types, and ships no sources", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"))
    assert.deepStrictEqual(Object.keys(pkg.exports), [".", "./cli", "./sandbox", "./testing", "./package.json"])
    for (const [entry, source] of [[".", "src/index.ts"], ["./cli", "src/cli/index.ts"], ["./sandbox", "src/sandbox/index.ts"], ["./testing", "src/testing/index.ts"]] as const) {
      const built = source.replace(/^src\//, "./dist/lib/").replace(/\.ts$/, "")
      assert.deepStrictEqual(pkg.exports[entry], { types: `${built}.d.ts`, default: `${built}.js` })
    }
    assert.deepStrictEqual(pkg.files, ["dist/", "bin/", "README.md"])
    // The sandbox's provider is an optional peer, never a dependency every user installs.
    assert.notProperty(pkg.dependencies, "oidc-provider")
    assert.deepStrictEqual(pkg.peerDependenciesMeta["oidc-provider"], { optional: true })
  })
})
