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
