/** A synchronous in-memory storage: the default outside browsers, and the fallback when storage fails. */
import type { StorageAdapter } from './StorageAdapter.js'

/**
 * Keeps values in a `Map` for the life of the page or process.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'cli', methods, storage: memoryStorage() })
 * ```
 */
export function memoryStorage(initial?: Record<string, string>): StorageAdapter {
  const values = new Map<string, string>(Object.entries(initial ?? {}))
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => {
      values.set(key, value)
    },
    remove: (key) => {
      values.delete(key)
    },
  }
}
