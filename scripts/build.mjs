// Bundles the CLI with esbuild: dist/latchkey.mjs plus lazily loaded chunks (sandbox, YAML, …).
import * as esbuild from "esbuild"
import { readFile, rm } from "node:fs/promises"

const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"))
await rm(new URL("../dist", import.meta.url), { recursive: true, force: true })
const result = await esbuild.build({
  entryPoints: { latchkey: "src/bin.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  define: { __LATCHKEY_VERSION__: JSON.stringify(pkg.version) },
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __lkCreateRequire } from 'node:module'; const require = __lkCreateRequire(import.meta.url);" },
  minify: true,
  legalComments: "none",
  metafile: true,
  // The sandbox's OpenID provider breaks when bundled (esbuild's interop loses a generator
  // function); it is loaded from node_modules, and only by `latchkey sandbox`.
  // @napi-rs/keyring is a native addon: it must be loaded from node_modules, not bundled.
  external: ["oidc-provider", "@napi-rs/keyring"],
  logLevel: "warning"
})
const outputs = Object.entries(result.metafile.outputs).map(([file, o]) => `${file} ${(o.bytes / 1024).toFixed(0)} KiB`)
console.log(`built ${outputs.join(", ")}`)
