/**
 * Where a brand keeps its config file, as a plain value the Brand carries, and the one function
 * that turns it into a path for a given platform, environment and home directory.
 *
 * ```ts
 * ConfigLocation.homeFile(".inf/config.json")   // ~/.inf/config.json on every OS
 * ConfigLocation.osConfigDir("llamactl")        // $XDG_CONFIG_HOME/llamactl (Linux),
 *                                               // ~/Library/Application Support/llamactl (macOS),
 *                                               // %APPDATA%\llamactl (Windows)
 * ConfigLocation.xdgConfigDir("latchkey")       // $XDG_CONFIG_HOME/latchkey, else ~/.config/latchkey, on every OS
 *
 * ConfigLocation.resolve(ConfigLocation.osConfigDir("acme"), { platform: "darwin", home: "/Users/u" })
 * // "/Users/u/Library/Application Support/acme/config.json"
 * ```
 *
 * The secrets file and the lock files sit beside the config file. The brand's config-directory
 * variable (`LATCHKEY_CONFIG_DIR`), when the brand names one and it is set, replaces the directory
 * and keeps the file's name. The CLI wiring resolves the location for the running process
 * (`Layers.locateConfigFile`).
 */
import * as path from "node:path"

/** A file at a fixed path under the home directory, the same on every OS (`.inf/config.json`). */
export interface HomeFile {
  readonly _tag: "HomeFile"
  /** Relative to the home directory, with `/` separators. */
  readonly path: string
}

/** `config.json` in `<name>` under the OS's config directory (XDG on Linux, Application Support on macOS, %APPDATA% on Windows). */
export interface OsConfigDir {
  readonly _tag: "OsConfigDir"
  readonly name: string
}

/** `config.json` in `<name>` under `$XDG_CONFIG_HOME`, else `~/.config`, on every OS (as gh does). */
export interface XdgConfigDir {
  readonly _tag: "XdgConfigDir"
  readonly name: string
}

export type ConfigLocation = HomeFile | OsConfigDir | XdgConfigDir

export const CONFIG_FILE_NAME = "config.json"

const checkName = (name: string): string => {
  // A brand's own constant, so a bad one is a bug in the embedder's code, not input to report.
  if (!/^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$/.test(name) || name.includes("..")) {
    throw new Error(`ConfigLocation: invalid directory name ${JSON.stringify(name)}`)
  }
  return name
}

/**
 * The file at `file` under the home directory. It needs a directory of its own (`.inf/config.json`,
 * not `.infrc`): the secrets file and lock files go beside it, not loose in the home directory.
 */
export const homeFile = (file: string): HomeFile => {
  const segments = file.split("/")
  if (
    file.startsWith("/") || file.includes("\\") || segments.length < 2 ||
    segments.some((s) => s === "" || s === "." || s === ".." || s.includes(":"))
  ) {
    throw new Error(`ConfigLocation.homeFile: expected a relative path with a directory, such as ".inf/config.json", got ${JSON.stringify(file)}`)
  }
  return { _tag: "HomeFile", path: file }
}

/** The location itself when it is valid (as the constructors build it); throws otherwise. */
export const check = (location: ConfigLocation): ConfigLocation =>
  location._tag === "HomeFile" ? homeFile(location.path) : { _tag: location._tag, name: checkName(location.name) }

export const osConfigDir = (name: string): OsConfigDir => ({ _tag: "OsConfigDir", name: checkName(name) })

export const xdgConfigDir = (name: string): XdgConfigDir => ({ _tag: "XdgConfigDir", name: checkName(name) })

/** What the location depends on: all of it from the environment, given by the caller. */
export interface Facts {
  /** `process.platform`: `linux`, `darwin`, `win32`, … */
  readonly platform: string
  /** The home directory (`$HOME`, else the OS's idea of it). */
  readonly home: string
  /** The value of the brand's config-directory variable, when it names one and it is set. */
  readonly configDir?: string | undefined
  readonly xdgConfigHome?: string | undefined
  /** `%APPDATA%`, read on Windows only. */
  readonly appData?: string | undefined
}

/** The config file's absolute path. Pure: same location and facts, same path. */
export const resolve = (location: ConfigLocation, facts: Facts): string => {
  const p = facts.platform === "win32" ? path.win32 : path.posix
  const fileName = location._tag === "HomeFile" ? p.basename(location.path) : CONFIG_FILE_NAME
  if (facts.configDir !== undefined && facts.configDir !== "") return p.resolve(facts.configDir, fileName)
  // XDG Base Directory spec: "If an implementation encounters a relative path in any of these
  // variables it should assume that the path is invalid and should ignore it." Same for %APPDATA%.
  const absolute = (value: string | undefined) => value !== undefined && value !== "" && p.isAbsolute(value) ? value : undefined
  const xdg = (name: string) => p.join(absolute(facts.xdgConfigHome) ?? p.join(facts.home, ".config"), name, fileName)
  switch (location._tag) {
    case "HomeFile":
      return p.join(facts.home, ...location.path.split("/"))
    case "XdgConfigDir":
      return xdg(location.name)
    case "OsConfigDir":
      if (facts.platform === "darwin") return p.join(facts.home, "Library", "Application Support", location.name, fileName)
      if (facts.platform === "win32") {
        return p.join(absolute(facts.appData) ?? p.join(facts.home, "AppData", "Roaming"), location.name, fileName)
      }
      return xdg(location.name)
  }
}
