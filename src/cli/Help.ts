/**
 * Help, rendered from the command definitions themselves: @effect/cli's descriptor gives each
 * command's name, description, options and arguments; `withHelp`, piped onto a command where it is
 * defined, adds what the descriptor cannot carry (examples, the environment variables it reads, a
 * paragraph of details). Usage lines, examples and the environment section are built from the
 * command path and the Brand at render time, so an embedder's renamed CLI gets correct help.
 *
 * ```ts
 * export const status = Command.make("status", { globals }, handler).pipe(
 *   Command.withDescription("Show who you are and how you are authenticated"),
 *   Help.withHelp({ examples: [{ args: "-o json" }], env: ["apiKey", "profile"] })
 * )
 * ```
 *
 * The descriptor is read structurally (@effect/cli 0.77 keeps it in `Standard`, `Subcommands`
 * and `Map` nodes); the CLI tests walk every verb, so a change of that shape fails them.
 */
import type * as Command from "@effect/cli/Command"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { EnvNames, EnvVariable } from "../Brand.js"

/** An example: the arguments after the command path, and optionally what it does. */
export interface Example {
  readonly args: string
  readonly about?: string
}

/** Environment variables a verb reads: the Brand's (by key, so an embedder's prefix applies) or `CI`. */
export type EnvKey = EnvVariable | "ci"

export interface Meta {
  readonly examples?: ReadonlyArray<Example>
  readonly env?: ReadonlyArray<EnvKey>
  /** More than the one-line purpose the command's description gives. */
  readonly details?: string
}

const registry = new WeakMap<object, Meta>()

/**
 * Attach examples, environment variables and details to a command; pipe it last, after
 * `Command.withDescription` (which makes a new descriptor).
 */
export const withHelp = (meta: Meta) => <C extends Command.Command<any, any, any, any>>(self: C): C => {
  registry.set(self.descriptor, meta)
  return self
}

const ENV_MEANING: Record<EnvKey, string> = {
  apiKey: "API key to use instead of a stored profile",
  projectId: "project to use, over the profile's",
  apiUrl: "API URL for the API key and for new logins",
  profile: "profile to use instead of the current one",
  useProfile: "1: ignore the API-key variable",
  configDir: "config directory",
  keyring: "0: never use the OS keyring for new secrets",
  ci: "set: never prompt"
}

/** The variable's name under the brand; `undefined` for one the brand leaves out (its help lists it not). */
export const envName = (names: EnvNames, key: EnvKey): string | undefined => key === "ci" ? "CI" : names[key]

// ---------------------------------------------------------------------------------------------
// The command tree, read from the descriptor

export interface OptionDoc {
  /** Long name with dashes, `--output`. */
  readonly long: string
  /** Short aliases with dashes, `-o`. */
  readonly short: ReadonlyArray<string>
  /** What follows the name (`text|json|yaml`, `string`), none for a flag. */
  readonly value: Option.Option<string>
  readonly description: string
  readonly required: boolean
  readonly defaultValue: Option.Option<string>
}

export interface ArgDoc {
  readonly name: string
  readonly description: string
  readonly optional: boolean
  readonly variadic: boolean
}

export interface Node {
  readonly name: string
  readonly description: string
  readonly options: ReadonlyArray<OptionDoc>
  readonly args: ReadonlyArray<ArgDoc>
  readonly children: ReadonlyArray<Node>
  readonly meta: Meta
}

// Structural views of @effect/cli's internal instructions; only the fields help reads.
type Any = { readonly _tag: string; readonly [key: string]: any }

const spanText = (s: Span.Span | Any): string => {
  const span = s as Any
  switch (span._tag) {
    case "Text":
    case "Code":
    case "URI":
      return String(span.value)
    case "Error":
    case "Weak":
    case "Strong":
    case "Highlight":
      return spanText(span.value)
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    default:
      return ""
  }
}

/** The text of a HelpDoc, paragraphs separated by a blank line. */
export const docText = (d: HelpDoc.HelpDoc | Any): string => {
  const doc = d as Any
  switch (doc._tag) {
    case "Header":
    case "Paragraph":
      return spanText(doc.value)
    case "Sequence":
      return [docText(doc.left), docText(doc.right)].filter((s) => s.length > 0).join("\n\n")
    case "Enumeration":
      return (doc.elements as ReadonlyArray<Any>).map(docText).join("\n")
    case "DescriptionList":
      return (doc.definitions as ReadonlyArray<[Any, Any]>).map(([s, b]) => `${spanText(s)}: ${docText(b)}`).join("\n")
    default:
      return ""
  }
}

const typeName = (primitive: Any): Option.Option<string> => {
  switch (primitive._tag) {
    case "Bool":
      return Option.none()
    case "Choice":
      return Option.some((primitive.alternatives as ReadonlyArray<[string, unknown]>).map(([k]) => k).join("|"))
    case "Integer":
      return Option.some("int")
    case "Float":
      return Option.some("number")
    case "Path":
      return Option.some(primitive.pathType === "directory" ? "dir" : "file")
    case "Date":
    case "DateTime":
      return Option.some("date")
    default:
      return Option.some("string")
  }
}

const optionDocs = (o: Any, optional = false, fallback: unknown = undefined): Array<OptionDoc> => {
  switch (o._tag) {
    case "Single": {
      const value = Option.orElse(o.pseudoName as Option.Option<string>, () => typeName(o.primitiveType))
      const shown = fallback === undefined || Option.isOption(fallback) || typeof fallback === "boolean"
        ? Option.none()
        : Option.some(String(fallback))
      return [{
        long: o.fullName,
        short: (o.aliases as ReadonlyArray<string>).map((a) => (a.length === 1 ? `-${a}` : `--${a}`)),
        value: o.primitiveType._tag === "Bool" ? Option.none() : value,
        description: docText(o.description),
        required: !optional && o.primitiveType._tag !== "Bool",
        defaultValue: shown
      }]
    }
    case "Map":
    case "WithFallback":
      return optionDocs(o.options, optional || o._tag === "WithFallback", fallback)
    case "WithDefault":
      return optionDocs(o.options, true, o.fallback)
    case "Both":
    case "OrElse":
      return [...optionDocs(o.left, optional || o._tag === "OrElse"), ...optionDocs(o.right, optional || o._tag === "OrElse")]
    case "Variadic":
    case "KeyValueMap":
      return optionDocs(o.argumentOption, optional)
    default:
      return []
  }
}

const argDocs = (a: Any, optional = false, variadic = false): Array<ArgDoc> => {
  switch (a._tag) {
    case "Single":
      return [{
        name: Option.getOrElse(a.pseudoName as Option.Option<string>, () => a.name as string),
        description: docText(a.description),
        optional,
        variadic
      }]
    case "Map":
      return argDocs(a.args, optional, variadic)
    case "WithDefault":
    case "WithFallbackConfig":
      return argDocs(a.args, true, variadic)
    case "Variadic":
      return argDocs(a.args, optional, true)
    case "Both":
      return [...argDocs(a.left, optional, variadic), ...argDocs(a.right, optional, variadic)]
    default:
      return []
  }
}

const walk = (d: Any, meta?: Meta): Node => {
  const m = meta ?? registry.get(d)
  switch (d._tag) {
    case "Map":
      return walk(d.command, m)
    case "Subcommands": {
      const parent = walk(d.parent, m)
      return { ...parent, children: (d.children as ReadonlyArray<Any>).map((c) => walk(c)) }
    }
    case "Standard":
      return {
        name: d.name,
        description: docText(d.description),
        options: optionDocs(d.options),
        args: argDocs(d.args),
        children: [],
        meta: m ?? {}
      }
    default:
      return { name: String(d.name), description: docText(d.description), options: [], args: [], children: [], meta: m ?? {} }
  }
}

/** The command tree of `command`, as help shows it. */
export const tree = (command: Command.Command<any, any, any, any>): Node => walk(command.descriptor as unknown as Any)

/** The options of an `Options` value (the global options), as help shows them. */
export const options = (o: unknown): ReadonlyArray<OptionDoc> => optionDocs(o as Any)

// ---------------------------------------------------------------------------------------------
// Rendering

export interface Style {
  /** Columns to fit. */
  readonly width: number
  readonly color: boolean
}

/**
 * Colour only on a terminal, never with `NO_COLOR` set, always with `FORCE_COLOR` (unless `0` or
 * `false`); width: the terminal's, 80 when piped.
 */
export const style = (stdoutIsTTY: boolean, columns: number) =>
  Effect.gen(function*() {
    const noColor = yield* Config.string("NO_COLOR").pipe(Config.withDefault(""))
    const force = yield* Config.string("FORCE_COLOR").pipe(Config.option)
    const forced = Option.exists(force, (v) => v !== "0" && v.toLowerCase() !== "false")
    const color = noColor.length > 0 ? false : forced || stdoutIsTTY
    const width = stdoutIsTTY && columns >= 40 ? Math.min(columns, 120) : 80
    return { width, color } satisfies Style
  }).pipe(Effect.orElseSucceed((): Style => ({ width: 80, color: false })))

/** Word-wrap `text` to `width`, every line after the first indented by `indent` spaces. */
export const wrap = (text: string, width: number, indent = 0): Array<string> => {
  const lines: Array<string> = []
  for (const paragraph of text.split("\n")) {
    let line = ""
    for (const word of paragraph.split(/\s+/).filter((w) => w.length > 0)) {
      const pad = lines.length === 0 && line === "" ? "" : " ".repeat(indent)
      if (line === "") line = pad + word
      else if (line.length + 1 + word.length <= width) line += ` ${word}`
      else {
        lines.push(line)
        line = " ".repeat(indent) + word
      }
    }
    lines.push(line)
  }
  return lines
}

/** Two columns: names on the left, wrapped descriptions on the right (or below, when names are long). */
const columns = (rows: ReadonlyArray<readonly [string, string]>, width: number): Array<string> => {
  const max = 30
  const left = Math.min(max, Math.max(0, ...rows.map(([l]) => l.length)))
  const out: Array<string> = []
  for (const [l, r] of rows) {
    const start = 2 + left + 2
    if (r.length === 0) {
      out.push(`  ${l}`)
    } else if (l.length > left) {
      out.push(`  ${l}`)
      out.push(...wrap(r, width - start).map((s) => " ".repeat(start) + s))
    } else {
      const body = wrap(r, width - start)
      out.push(`  ${l.padEnd(left)}  ${body[0] ?? ""}`, ...body.slice(1).map((s) => " ".repeat(start) + s))
    }
  }
  return out
}

const optionRow = (o: OptionDoc): readonly [string, string] => {
  const names = o.short.length > 0 ? `${o.short.join(", ")}, ${o.long}` : `    ${o.long}`
  const value = Option.match(o.value, { onNone: () => "", onSome: (v) => ` ${v}` })
  const dflt = Option.match(o.defaultValue, { onNone: () => "", onSome: (v) => ` (default ${v})` })
  return [`${names}${value}`, `${o.description}${dflt}`]
}

/** The usage line of a leaf: path, arguments, required options, `[options]`. */
const usage = (path: string, node: Node, globals: ReadonlyArray<OptionDoc>): string => {
  if (node.children.length > 0) return `${path} <command> [options]`
  const args = node.args.map((a) => {
    const core = `<${a.name}>${a.variadic ? "..." : ""}`
    return a.optional ? `[${core}]` : core
  })
  const required = node.options.filter((o) => o.required).map((o) => `${o.long} ${Option.getOrElse(o.value, () => "")}`.trim())
  const hasOptional = node.options.some((o) => !o.required) || globals.length > 0
  return [path, ...args, ...required, ...(hasOptional ? ["[options]"] : [])].join(" ")
}

export interface Context {
  /** The executable's name: the first word of every path. */
  readonly name: string
  readonly version: string
  /** The Brand's variable names. */
  readonly env: EnvNames
  /** The options every verb takes (`--profile`, `-o`, …), shown once as GLOBAL OPTIONS. */
  readonly globals: ReadonlyArray<OptionDoc>
}

/** Options that exist only as built-ins: help, version (root) and completions (root). */
const builtIns = (root: boolean): Array<readonly [string, string]> => [
  ["-h, --help", "Show help for the command"],
  ...(root
    ? [
      ["    --version", "Print the version"] as const,
      ["    --completions shell", "Print a completion script for bash, zsh or fish (see the README)"] as const
    ]
    : [])
]

/** The help of the command at `path` (the nodes from the root down), as lines of text. */
export const render = (path: ReadonlyArray<Node>, ctx: Context, s: Style): string => {
  const node = path[path.length - 1]!
  const isRoot = path.length === 1
  const full = [ctx.name, ...path.slice(1).map((n) => n.name)].join(" ")
  const heading = (h: string) => (s.color ? `\x1b[1m${h}\x1b[0m` : h)
  const globalLongs = new Set(ctx.globals.map((g) => g.long))
  const own = node.options.filter((o) => !globalLongs.has(o.long))
  const takesGlobals = node.children.length > 0 || node.options.some((o) => globalLongs.has(o.long))
  const sections: Array<Array<string>> = []

  sections.push(wrap(node.description.length > 0 ? node.description : full, s.width))
  if (node.meta.details) sections.push(wrap(node.meta.details, s.width))
  sections.push([heading("USAGE"), ...wrap(usage(full, node, takesGlobals ? ctx.globals : []), s.width - 2, 4).map((l) => `  ${l}`)])
  if (node.children.length > 0) {
    sections.push([heading(isRoot ? "COMMANDS" : "VERBS"), ...columns(node.children.map((c) => [c.name, c.description]), s.width)])
  }
  if (node.args.length > 0) {
    sections.push([heading("ARGUMENTS"), ...columns(node.args.map((a) => [`<${a.name}>`, `${a.description}${a.optional ? " (optional)" : ""}`]), s.width)])
  }
  if (own.length > 0) sections.push([heading("OPTIONS"), ...columns(own.map(optionRow), s.width)])
  const globalRows = takesGlobals ? ctx.globals.map(optionRow) : []
  sections.push([heading(takesGlobals ? "GLOBAL OPTIONS" : "OPTIONS"), ...columns([...globalRows, ...builtIns(isRoot)], s.width)])
  const envRows = (node.meta.env ?? []).flatMap((k) => {
    const name = envName(ctx.env, k)
    return name === undefined ? [] : [[name, ENV_MEANING[k]] as const]
  })
  if (envRows.length > 0) sections.push([heading("ENVIRONMENT"), ...columns(envRows, s.width)])
  if (node.meta.examples && node.meta.examples.length > 0) {
    const lines: Array<string> = []
    for (const e of node.meta.examples) {
      if (e.about) lines.push(...wrap(`# ${e.about}`, s.width - 2, 2).map((l) => `  ${l}`))
      lines.push(...wrap(`$ ${full}${e.args ? ` ${e.args}` : ""}`, s.width - 2, 4).map((l) => `  ${l}`))
    }
    sections.push([heading("EXAMPLES"), ...lines])
  }
  if (node.children.length > 0) {
    sections.push([heading("LEARN MORE"), ...wrap(`Use '${full} <command> --help' for more about a command.`, s.width - 2).map((l) => `  ${l}`)])
  }
  return sections.map((lines) => lines.join("\n")).join("\n\n")
}

/** What a verb that resolves the credential reads (README, "Resolution order"). */
export const CREDENTIAL_ENV: ReadonlyArray<EnvKey> = ["apiKey", "profile", "useProfile", "projectId", "apiUrl", "configDir"]
