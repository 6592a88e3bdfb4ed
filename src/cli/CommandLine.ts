/**
 * What the command line asks for, before @effect/cli parses the verb's own options: help, the
 * version, an unknown command (with "did you mean"), or a verb to run. Global options may stand
 * anywhere (`latchkey -o json auth status`, `latchkey auth --profile p status`): those met
 * before the verb are moved after it, where @effect/cli parses them. Nothing after `--` is touched.
 */
import { levensteinDistance } from "@effect/cli/AutoCorrect"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Option from "effect/Option"
import { sanitize, truncate } from "../internal/text.js"
import type * as Help from "./Help.js"

export type Line =
  /** Help for the command at `path`. */
  | { readonly _tag: "Help"; readonly path: ReadonlyArray<Help.Node> }
  | { readonly _tag: "Version" }
  /** `token` is no command of the group at `path`. */
  | { readonly _tag: "Unknown"; readonly path: ReadonlyArray<Help.Node>; readonly token: string; readonly suggestions: ReadonlyArray<string> }
  /** An option before the verb that is no global option. */
  | { readonly _tag: "UnknownOption"; readonly path: ReadonlyArray<Help.Node>; readonly token: string }
  /** `--completions SHELL`; no shell, or one latchkey has no script for. */
  | { readonly _tag: "Completions"; readonly shell: "bash" | "zsh" | "fish" | undefined }
  /** A built-in @effect/cli handles itself (the hidden `--wizard` and `--log-level`). */
  | { readonly _tag: "BuiltIn" }
  /** Run the verb at `path` with `args` (path names first, as @effect/cli wants them). */
  | { readonly _tag: "Run"; readonly path: ReadonlyArray<Help.Node>; readonly args: ReadonlyArray<string> }

/** How latchkey configures @effect/cli's parser. */
export const cliConfig = CliConfig.make({
  isCaseSensitive: true,
  autoCorrectLimit: 2,
  showBuiltIns: false,
  showTypes: false,
  showAllNames: true,
  finalCheckBuiltIn: false
})

const HELP = new Set(["--help", "-h"])
const LIBRARY_BUILT_INS = new Set(["--wizard", "--log-level"])
const SHELLS = ["bash", "zsh", "fish"] as const
const shell = (value: string | undefined) => SHELLS.find((s) => s === value)

/** Commands of `group` close to `token`: within the auto-correct distance, or starting with it. */
export const suggest = (token: string, group: Help.Node): ReadonlyArray<string> =>
  group.children
    .map((c) => c.name)
    .filter((n) => levensteinDistance(token, n, cliConfig) <= cliConfig.autoCorrectLimit || (token.length >= 2 && n.startsWith(token)))

export const resolve = (root: Help.Node, globals: ReadonlyArray<Help.OptionDoc>, argv: ReadonlyArray<string>): Line => {
  const takesValue = new Map<string, boolean>()
  for (const g of globals) for (const n of [g.long, ...g.short]) takesValue.set(n, Option.isSome(g.value))
  const path: Array<Help.Node> = [root]
  const hoisted: Array<string> = []
  let node = root
  let i = 0
  for (; i < argv.length && node.children.length > 0; i++) {
    const token = argv[i]!
    const name = token.startsWith("--") ? token.split("=")[0]! : token
    if (token === "--") return { _tag: "Help", path }
    if (HELP.has(token)) return { _tag: "Help", path }
    if (token === "--version" && path.length === 1) return { _tag: "Version" }
    if (name === "--completions" && path.length === 1) {
      return { _tag: "Completions", shell: shell(token.includes("=") ? token.slice(token.indexOf("=") + 1) : argv[i + 1]) }
    }
    if (LIBRARY_BUILT_INS.has(name) && path.length === 1) return { _tag: "BuiltIn" }
    if (takesValue.has(name)) {
      hoisted.push(token)
      if (takesValue.get(name) && !token.includes("=") && i + 1 < argv.length) hoisted.push(argv[++i]!)
      continue
    }
    if (token.startsWith("-")) return { _tag: "UnknownOption", path, token }
    const child = node.children.find((c) => c.name === token)
    if (child === undefined) return { _tag: "Unknown", path, token, suggestions: suggest(token, node) }
    path.push(child)
    node = child
  }
  if (node.children.length > 0) return { _tag: "Help", path }
  const rest = argv.slice(i)
  const end = rest.indexOf("--")
  if ((end === -1 ? rest : rest.slice(0, end)).some((t) => HELP.has(t))) return { _tag: "Help", path }
  return { _tag: "Run", path, args: [...path.map((n) => n.name), ...hoisted, ...rest] }
}

/** Why @effect/cli left `token` over after parsing the verb's options and arguments. */
export const leftover = (token: string, verb: Help.Node): string => {
  const shown = truncate(sanitize(token), 60)
  if (!token.startsWith("-")) return `unexpected argument '${shown}'`
  const name = token.split("=")[0]!
  const exact = verb.options.find((o) => o.long === name || o.short.includes(name))
  if (exact !== undefined && Option.isSome(exact.value)) return `${name} needs a value (${exact.value.value})`
  const attached = verb.options.find((o) => Option.isSome(o.value) && o.short.some((s) => token.startsWith(s) && token.length > s.length))
  if (attached !== undefined) {
    const short = attached.short.find((s) => token.startsWith(s))!
    return `unknown option '${shown}'; did you mean '${short} ${truncate(sanitize(token.slice(short.length)), 40)}'?`
  }
  const close = verb.options.map((o) => o.long).filter((l) => levensteinDistance(name, l, cliConfig) <= cliConfig.autoCorrectLimit)
  return `unknown option '${shown}'${close.length > 0 ? `; did you mean ${close.map((c) => `'${c}'`).join(" or ")}?` : ""}`
}

/**
 * @effect/cli's completion script, made to fit: the hidden built-ins (`--log-level`, `--wizard`)
 * are left out, and the zsh script completes on the first Tab when it is autoloaded from
 * `$fpath` as `_NAME` (the library's script only registers itself then, and completes from the
 * second Tab on).
 */
export const completionScript = (shell: "bash" | "zsh" | "fish", name: string, lines: ReadonlyArray<string>): Array<string> =>
  lines
    .filter((line) =>
      shell === "fish"
        ? !/ -l (?:log-level|wizard)\b/.test(line)
        : shell === "zsh"
        ? !/^\s*'--(?:log-level|wizard)\[/.test(line)
        : true
    )
    .map((line) =>
      shell === "bash" && /^\s*opts="/.test(line)
        ? line.replace(/ --(?:log-level|wizard)(?=[ "])/g, "")
        : shell === "zsh"
        ? line.replace(`if [ "$funcstack[1]" = "_${name}_zsh_completions" ]`, `if [ "$funcstack[1]" = "_${name}" ]`)
        : line
    )
