// node scripts/bench-http.mjs: start-up of a process that makes one HTTP request through each
// transport, as a ratio to `node -e 0` measured in the same run. Each program is an esbuild CJS
// bundle (as the CLI is) that makes one GET through @effect/platform's HttpClient to a local server
// and prints the body: latchkey's HttpTransport, FetchHttpClient (global fetch, undici), and
// @effect/platform-node's NodeHttpClient. Interleaved runs, 5 warm-up rounds, medians.
// NODE_EXTRA_CA_CERTS is removed from the children's environment: it slows Node 20's start-up.
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as esbuild from "esbuild"

const RUNS = Number(process.env.RUNS ?? 30)
const WARMUP = 5
const root = resolve(import.meta.dirname, "..")
const dir = mkdtempSync(join(tmpdir(), "latchkey-bench-http-"))

const program = (imports, layer) => `
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
${imports}
const program = Effect.flatMap(HttpClient.HttpClient, (client) => client.get(process.argv[2])).pipe(
  Effect.flatMap((response) => response.text),
  Effect.provide(${layer})
)
Effect.runPromise(program).then((text) => process.stdout.write(text))
`
const transports = {
  "HttpTransport (node:http)": program(`import * as HttpTransport from ${JSON.stringify(join(root, "src/HttpTransport.ts"))}`, "HttpTransport.layer()"),
  "FetchHttpClient (fetch)": program(`import * as FetchHttpClient from "@effect/platform/FetchHttpClient"`, "FetchHttpClient.layer"),
  "NodeHttpClient (platform-node)": program(`import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"`, "NodeHttpClient.layer")
}
const bundles = {}
for (const [name, source] of Object.entries(transports)) {
  const file = join(dir, `${Object.keys(bundles).length}.cjs`)
  await esbuild.build({
    stdin: { contents: source, resolveDir: root, loader: "ts" },
    outfile: file, bundle: true, format: "cjs", platform: "node", target: "node20", minify: true, logLevel: "warning"
  })
  bundles[name] = file
}

// The server runs in its own process: the measuring loop below blocks this one.
const server = spawn(process.execPath, ["-e", `
  const s = require("node:http").createServer((q, r) => r.end('{"ok":true}'))
  s.listen(0, "127.0.0.1", () => console.log(s.address().port))`], { stdio: ["ignore", "pipe", "inherit"] })
const port = await new Promise((r) => server.stdout.once("data", (d) => r(String(d).trim())))
const url = `http://127.0.0.1:${port}/`

const env = { ...process.env }
delete env.NODE_EXTRA_CA_CERTS
for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]) delete env[name]
const commands = [{ name: "node -e 0", args: ["-e", "0"] }, ...Object.entries(bundles).map(([name, file]) => ({ name, args: [file, url] }))]
const times = new Map(commands.map((c) => [c.name, []]))
for (let round = 0; round < WARMUP + RUNS; round++) {
  for (const c of commands) {
    const started = process.hrtime.bigint()
    const r = spawnSync(process.execPath, c.args, { env, encoding: "utf8" })
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    if (r.status !== 0 || (c.args.length > 2 && r.stdout !== '{"ok":true}')) throw new Error(`${c.name}: exit ${r.status}\n${r.stdout}\n${r.stderr}`)
    if (round >= WARMUP) times.get(c.name).push(ms)
  }
}
server.kill()
rmSync(dir, { recursive: true, force: true })
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const base = median(times.get("node -e 0"))
console.log(`one request, ${new Date().toISOString().slice(0, 10)}, node ${process.version} (${process.arch}), ${RUNS} runs after ${WARMUP} warm-up, interleaved`)
console.log("| program | median ms | vs node -e 0 |")
console.log("| --- | --- | --- |")
for (const c of commands) console.log(`| ${c.name} | ${median(times.get(c.name)).toFixed(1)} | ${(median(times.get(c.name)) / base).toFixed(2)}× |`)
