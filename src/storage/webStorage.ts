/** Adapts `localStorage` or `sessionStorage` (or any Web Storage) to the StorageAdapter contract. */
import type { StorageAdapter } from './StorageAdapter.js'

/**
 * Synchronous, so the client knows the session on its first line. Write errors (quota, Safari
 * private mode) propagate to the client, which keeps the session in memory and reports them.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'shop', methods, storage: webStorage(sessionStorage) })
 * ```
 */
export function webStorage(storage: Storage): StorageAdapter {
  return {
    get: (key) => storage.getItem(key),
    set: (key, value) => storage.setItem(key, value),
    remove: (key) => storage.removeItem(key),
  }
}
