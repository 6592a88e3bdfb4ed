import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as Brand from "../../src/Brand.js"
import * as ConfigLocation from "../../src/ConfigLocation.js"
import * as ConfigStore from "../../src/ConfigStore.js"
import * as Layers from "../../src/Layers.js"
import { profile } from "../support/Configs.js"
import * as TempDir from "../support/TempDir.js"
import * as TestLayers from "../support/TestLayers.js"

const { homeFile, osConfigDir, resolve, xdgConfigDir } = ConfigLocation

describe("ConfigLocation.resolve", () => {
  it("Linux: $XDG_CONFIG_HOME/<name>, else ~/.config/<name>; a relative XDG_CONFIG_HOME is ignored", () => {
    for (const location of [osConfigDir("acme"), xdgConfigDir("acme")]) {
      assert.strictEqual(resolve(location, { platform: "linux", home: "/home/u", xdgConfigHome: "/xdg" }), "/xdg/acme/config.json")
      assert.strictEqual(resolve(location, { platform: "linux", home: "/home/u" }), "/home/u/.config/acme/config.json")
      // XDG Base Directory spec: relative paths are invalid and ignored.
      assert.strictEqual(resolve(location, { platform: "linux", home: "/home/u", xdgConfigHome: "xdg" }), "/home/u/.config/acme/config.json")
    }
  })

  it("macOS: ~/Library/Application Support/<name> for the OS's directory; XDG stays XDG", () => {
    const facts = { platform: "darwin", home: "/Users/u", xdgConfigHome: "/xdg" }
    assert.strictEqual(resolve(osConfigDir("acme"), facts), "/Users/u/Library/Application Support/acme/config.json")
    assert.strictEqual(resolve(xdgConfigDir("acme"), facts), "/xdg/acme/config.json")
    assert.strictEqual(resolve(xdgConfigDir("acme"), { platform: "darwin", home: "/Users/u" }), "/Users/u/.config/acme/config.json")
  })

  it("Windows: %APPDATA%\\<name>, else <home>\\AppData\\Roaming\\<name>", () => {
    const home = "C:\\Users\\u"
    assert.strictEqual(
      resolve(osConfigDir("acme"), { platform: "win32", home, appData: "D:\\Roaming" }),
      "D:\\Roaming\\acme\\config.json"
    )
    assert.strictEqual(resolve(osConfigDir("acme"), { platform: "win32", home }), "C:\\Users\\u\\AppData\\Roaming\\acme\\config.json")
    assert.strictEqual(
      resolve(osConfigDir("acme"), { platform: "win32", home, appData: "Roaming" }),
      "C:\\Users\\u\\AppData\\Roaming\\acme\\config.json",
      "a relative %APPDATA% is ignored"
    )
    assert.strictEqual(resolve(homeFile(".inf/config.json"), { platform: "win32", home }), "C:\\Users\\u\\.inf\\config.json")
    assert.strictEqual(resolve(xdgConfigDir("acme"), { platform: "win32", home }), "C:\\Users\\u\\.config\\acme\\config.json")
  })

  it("a home file is under the home directory on every OS, whatever XDG says", () => {
    for (const [platform, home] of [["linux", "/home/u"], ["darwin", "/Users/u"]] as const) {
      assert.strictEqual(resolve(homeFile(".inf/config.json"), { platform, home, xdgConfigHome: "/xdg" }), `${home}/.inf/config.json`)
    }
  })

  it("the brand's config-directory variable replaces the directory and keeps the file's name", () => {
    assert.strictEqual(resolve(homeFile(".inf/settings.json"), { platform: "linux", home: "/home/u", configDir: "/x/cfg" }), "/x/cfg/settings.json")
    assert.strictEqual(resolve(osConfigDir("acme"), { platform: "darwin", home: "/Users/u", configDir: "/x/cfg" }), "/x/cfg/config.json")
  })

  it("a home file must be a plain relative path with a directory; a directory name must be one name", () => {
    for (const bad of ["/etc/passwd", "../x.json", ".inf/../../x.json", "", ".inf//config.json", "C:\\x.json", ".infrc", "./.infrc"]) {
      assert.throws(() => homeFile(bad), /relative path/, bad)
    }
    for (const bad of ["a/b", "..", "", "a\\b"]) assert.throws(() => osConfigDir(bad), /invalid directory name/, bad)
    // Written as plain values, they are checked when the brand is made.
    assert.throws(() => Brand.make({ config: { _tag: "HomeFile", path: "/etc/x.json" } }), /relative path/)
    assert.throws(() => Brand.make({ config: { _tag: "OsConfigDir", name: "../x" } }), /invalid directory name/)
    assert.deepStrictEqual(Brand.make({ config: { _tag: "OsConfigDir", name: "acme" } }).config, osConfigDir("acme"))
  })
})

describe("Layers.locateConfigFile", () => {
  const at = (env: Record<string, string>, brand?: TestLayers.Options["brand"]) =>
    Effect.flatMap(
      TestLayers.make({ env, ...(brand ? { brand } : {}) }),
      (t) => t.provide(Layers.locateConfigFile({ platform: "linux", homedir: () => "/fallback" }))
    )

  it.effect("latchkey: LATCHKEY_CONFIG_DIR, else $XDG_CONFIG_HOME/latchkey, else ~/.config/latchkey, else the OS's home", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* at({ LATCHKEY_CONFIG_DIR: "/x/cfg", XDG_CONFIG_HOME: "/xdg", HOME: "/home/u" }), "/x/cfg/config.json")
      assert.strictEqual(yield* at({ XDG_CONFIG_HOME: "/xdg", HOME: "/home/u" }), "/xdg/latchkey/config.json")
      assert.strictEqual(yield* at({ HOME: "/home/u" }), "/home/u/.config/latchkey/config.json")
      assert.strictEqual(yield* at({}), "/fallback/.config/latchkey/config.json")
    }))

  it.effect("an embedder's home file and override variable; a left-out override is never read", () =>
    Effect.gen(function*() {
      const inf = { name: "inf", envPrefix: "INF_", config: homeFile(".inf/config.json") }
      assert.strictEqual(yield* at({ HOME: "/home/u", XDG_CONFIG_HOME: "/xdg", LATCHKEY_CONFIG_DIR: "/no" }, inf), "/home/u/.inf/config.json")
      assert.strictEqual(yield* at({ HOME: "/home/u", INF_CONFIG_DIR: "/x/inf" }, inf), "/x/inf/config.json")
      const closed = { ...inf, env: { configDir: undefined } }
      assert.strictEqual(yield* at({ HOME: "/home/u", INF_CONFIG_DIR: "/x/inf" }, closed), "/home/u/.inf/config.json")
    }))
})

describe("the live config file at a brand's location (Linux, temporary HOME)", () => {
  const modeOf = (p: string) => Effect.promise(() => fs.stat(p)).pipe(Effect.map((s) => s.mode & 0o777))

  for (
    const [label, config, relative] of [
      ["home file", homeFile(".inf/config.json"), [".inf", "config.json"]],
      ["OS config directory (XDG on Linux)", osConfigDir("inf"), [".config", "inf", "config.json"]]
    ] as const
  ) {
    it.scoped(`${label}: the file and its directory are created 0600/0700 there`, () =>
      Effect.gen(function*() {
        const home = yield* TempDir.make
        const t = yield* TestLayers.make({ locate: true, env: { HOME: home }, brand: { name: "inf", envPrefix: "INF_", config } })
        const store = yield* t.provide(ConfigStore.ConfigStore)
        const file = path.join(home, ...relative)
        assert.strictEqual(store.location, file)
        yield* store.modify((c) => Effect.succeed([null, { ...c, profiles: { p: profile() } }] as const))
        assert.deepStrictEqual(Object.keys((yield* store.read).profiles), ["p"])
        assert.strictEqual(yield* modeOf(file), 0o600)
        assert.strictEqual(yield* modeOf(path.dirname(file)), 0o700)
      }))
  }
})
