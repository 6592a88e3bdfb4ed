// Bundles the CLI with esbuild into one CommonJS file, dist/latchkey.cjs, which bin/latchkey loads
// through V8's code cache (see bin/latchkey). Rarely used parts (the sandbox, YAML, jose) are
// bundled behind lazy initialisers, so they cost nothing until a command needs them.
// Beside it, the library an embedder imports (package.json `exports`: latchkey, latchkey/cli,
// latchkey/sandbox, latchkey/testing): tsc emits ES modules and their .d.ts into dist/lib, in a
// child process while esbuild bundles. `--cli-only` skips the library (a quicker loop while
// working on the CLI).
import * as esbuild from "esbuild"
import { spawn } from "node:child_process"
import { readFile, rm } from "node:fs/promises"
import { createRequire } from "node:module"

const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"))
const cliOnly = process.argv.includes("--cli-only")
// `--cli-only` leaves an existing dist/lib as it was.
await rm(new URL(cliOnly ? "../dist/latchkey.cjs" : "../dist", import.meta.url), { recursive: true, force: true })
const started = Date.now()
const library = cliOnly
  ? Promise.resolve(undefined)
  : new Promise((resolve, reject) => {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
    const child = spawn(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: new URL("..", import.meta.url), stdio: "inherit" })
    child.on("error", reject)
    child.on("close", (code) => (code === 0 ? resolve(Date.now() - started) : reject(new Error(`tsc -p tsconfig.build.json exited ${code}`))))
  })
const result = await esbuild.build({
  entryPoints: { latchkey: "src/bin.ts" },
  outdir: "dist",
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".cjs" },
  define: { __LATCHKEY_VERSION__: JSON.stringify(pkg.version) },
  minify: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  // The sandbox's OpenID provider breaks when bundled (esbuild's interop loses a generator
  // function), @napi-rs/keyring is a native addon, and jq-wasm reads its jq.wasm from its own
  // directory (and would add 130 KiB of JavaScript to every start): all load from node_modules,
  // on demand.
  external: ["oidc-provider", "@napi-rs/keyring", "jq-wasm"]
})
const outputs = Object.entries(result.metafile.outputs).map(([file, o]) => `${file} ${(o.bytes / 1024).toFixed(0)} KiB`)
console.log(`built ${outputs.join(", ")}`)
const libraryMs = await library
if (libraryMs !== undefined) console.log(`built dist/lib (library and types) in ${(libraryMs / 1000).toFixed(1)} s`)
