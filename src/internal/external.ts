/**
 * Loading a package that stays outside the bundle (native addons, oidc-provider). Inside the
 * CommonJS bundle `require` is used — Node ≥ 20.19 / 22.12 load ES modules through it — because
 * V8 drops a script's dynamic-import hook when it is compiled from the code cache (bin/latchkey).
 * Where there is no `require` (tests run the sources as ES modules), `import()`.
 */
export const load = <A>(viaRequire: () => A, viaImport: () => Promise<A>): Promise<A> =>
  typeof require === "function" ? Promise.resolve().then(viaRequire) : viaImport()
