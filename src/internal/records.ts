/**
 * Lookups by a name that came from outside (argv, a server, the config file). A plain index
 * (`profiles[name]`) finds `toString`, `constructor` or `__proto__` on Object.prototype; these
 * find only the record's own entries.
 */

/** The record's own entry for `key`, if it has one. */
export const own = <V>(record: Readonly<Record<string, V>>, key: string): V | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined

/** Whether the record has its own entry for `key`. */
export const has = (record: Readonly<Record<string, unknown>>, key: string): boolean => Object.hasOwn(record, key)

/**
 * A `JSON.parse` reviver that refuses a `__proto__` key anywhere: decoding such an entry into a
 * record would replace the record's prototype rather than add an entry, and the next write
 * would silently drop it.
 */
export const refuseProtoKeys = (key: string, value: unknown): unknown => {
  if (key === "__proto__") throw new Error("it has an entry named __proto__")
  return value
}
