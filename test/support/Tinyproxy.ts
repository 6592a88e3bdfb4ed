/**
 * A real forward proxy for the proxy tests: Debian's `tinyproxy` (apt-get install tinyproxy),
 * listening on 127.0.0.1, logging every request line and CONNECT it serves.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { track } from "./Subprocess.js"

const BINARY = "/usr/bin/tinyproxy"

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

export interface Tinyproxy {
  readonly url: string
  readonly port: number
  /** Everything it logged so far. */
  readonly log: () => string
  readonly stop: () => Promise<void>
}

/** `basicAuth`: the proxy demands these credentials (407 otherwise). */
export const start = async (options: { readonly basicAuth?: { user: string; password: string } } = {}): Promise<Tinyproxy> => {
  if (!fs.existsSync(BINARY)) throw new Error("the proxy tests need tinyproxy: apt-get install tinyproxy")
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-tinyproxy-"))
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const config = path.join(dir, "tinyproxy.conf")
    const auth = options.basicAuth ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`] : []
    fs.writeFileSync(config, [`Port ${port}`, "Listen 127.0.0.1", "Timeout 30", "LogLevel Connect", "MaxClients 50", ...auth, ""].join("\n"))
    const child = track(spawn(BINARY, ["-d", "-c", config], { stdio: ["ignore", "pipe", "pipe"] }))
    let output = ""
    child.stdout.on("data", (d) => (output += d))
    child.stderr.on("data", (d) => (output += d))
    const listening = await new Promise<boolean>((resolve) => {
      const deadline = Date.now() + 10_000
      const probe = () => {
        if (child.exitCode !== null) return resolve(false)
        const socket = net.connect(port, "127.0.0.1")
        socket.once("connect", () => (socket.destroy(), resolve(true)))
        socket.once("error", () => (Date.now() > deadline ? resolve(false) : setTimeout(probe, 50)))
      }
      probe()
    })
    if (!listening) {
      child.kill("SIGKILL")
      if (attempt < 3) continue
      throw new Error(`tinyproxy did not start: ${output}`)
    }
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      log: () => output,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once("close", () => resolve())
          child.kill("SIGTERM")
        })
    }
  }
}
