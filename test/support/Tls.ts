/**
 * A private certificate authority and a server certificate for 127.0.0.1 signed by it, made with
 * `openssl` in a temporary directory: what a company's private CA looks like to latchkey.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export interface PrivateCa {
  /** PEM file of the CA, for NODE_EXTRA_CA_CERTS. */
  readonly caFile: string
  readonly ca: string
  readonly key: string
  readonly cert: string
}

export const makePrivateCa = (): PrivateCa => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-ca-"))
  const at = (name: string) => path.join(dir, name)
  const openssl = (...args: Array<string>) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] })
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
  openssl("req", "-x509", ...ec, "-keyout", at("ca.key"), "-out", at("ca.pem"), "-days", "2", "-subj", "/CN=latchkey test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
  openssl("req", ...ec, "-keyout", at("server.key"), "-out", at("server.csr"), "-subj", "/CN=127.0.0.1")
  fs.writeFileSync(at("ext.cnf"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
  openssl("x509", "-req", "-in", at("server.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial",
    "-out", at("server.pem"), "-days", "2", "-extfile", at("ext.cnf"))
  const read = (name: string) => fs.readFileSync(at(name), "utf8")
  return { caFile: at("ca.pem"), ca: read("ca.pem"), key: read("server.key"), cert: read("server.pem") }
}
