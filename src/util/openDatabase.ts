/** idb's `openDB`, loaded on first use: a page that never opens IndexedDB never downloads idb. */
import type { IDBPDatabase, OpenDBCallbacks } from 'idb'

/**
 * Opens (and upgrades) an IndexedDB database with idb, importing idb the first time.
 *
 * @example
 * ```ts
 * import { openDatabase } from './openDatabase.js'
 *
 * const db = await openDatabase('tessera-keys', 1, { upgrade: (d) => void d.createObjectStore('sessionKeys') })
 * ```
 */
export async function openDatabase(
  name: string,
  version: number,
  callbacks: OpenDBCallbacks<unknown>,
): Promise<IDBPDatabase> {
  const { openDB } = await import('idb')
  return openDB(name, version, callbacks)
}
