/** An error as latchkey's CLI words it: its reason with the hint rendered by `src/cli/Messages.ts`. */
import * as Messages from "../../src/cli/Messages.js"
import type { LatchkeyError } from "../../src/Errors.js"

const latchkey = Messages.make(Messages.names("latchkey"))

export const cliText = (error: LatchkeyError): string => latchkey.error(error)
