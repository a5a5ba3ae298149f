/** An IndexedDB storage adapter (built on idb) with a timeout on every call. */
import type { IDBPDatabase } from 'idb'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import { openDatabase } from '../util/openDatabase.js'
import { withTimeout } from '../util/withTimeout.js'
import type { StorageAdapter } from './StorageAdapter.js'

/**
 * Options of {@link indexedDbStorage}.
 *
 * @example
 * ```ts
 * const options: IndexedDbStorageOptions = { dbName: 'my-app-session', timeoutMs: 2000 }
 * ```
 */
export interface IndexedDbStorageOptions {
  /** Default `tessera`. */
  dbName?: string
  /** Default `kv`. */
  storeName?: string
  /** Bound on opening the database and on every call. Default 3000. */
  timeoutMs?: number
  /** Timers for the timeouts; default the globals. */
  environment?: Pick<Environment, 'setTimeout' | 'clearTimeout'>
}

/**
 * Async storage in IndexedDB. The client starts in `restoring` with it. A hung open, a blocked
 * upgrade or an unavailable IndexedDB (some private modes) rejects with `SessionError('STORAGE')`
 * or `'TIMEOUT'` within the timeout, and the client falls back to memory and reports it; nothing
 * waits forever (firebase-js-sdk #10311).
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'shop', methods, storage: indexedDbStorage() })
 * await client.ready()
 * ```
 */
export function indexedDbStorage(options: IndexedDbStorageOptions = {}): StorageAdapter {
  const dbName = options.dbName ?? 'tessera'
  const storeName = options.storeName ?? 'kv'
  const timeoutMs = options.timeoutMs ?? 3000
  const env = options.environment ?? defaultEnvironment()
  let opening: Promise<IDBPDatabase> | null = null

  const open = (): Promise<IDBPDatabase> => {
    if (typeof indexedDB === 'undefined' || indexedDB === null) {
      return Promise.reject(new SessionError('STORAGE', 'IndexedDB is not available here'))
    }
    if (!opening) {
      const attempt = (async () => {
        try {
          return await openStore(dbName, storeName, () => {
            opening = null
          })
        } catch (error) {
          throw error instanceof SessionError
            ? error
            : new SessionError('STORAGE', `Could not open IndexedDB "${dbName}"`, { cause: error })
        }
      })()
      opening = withTimeout(attempt, timeoutMs, `Opening IndexedDB "${dbName}" timed out`, env)
      // A failed or hung open is retried on the next call, not cached forever.
      opening.catch(() => {
        opening = null
      })
    }
    return opening
  }

  const run = <T>(what: string, work: (db: IDBPDatabase) => Promise<T>) =>
    withTimeout(open().then(work), timeoutMs, `IndexedDB ${what} timed out`, env).catch((error: unknown) => {
      throw error instanceof SessionError
        ? error
        : new SessionError('STORAGE', `IndexedDB ${what} failed`, { cause: error })
    })

  return {
    get: (key) => run('read', async (db) => ((await db.get(storeName, key)) as string | undefined) ?? null),
    set: (key, value) =>
      run('write', async (db) => {
        await db.put(storeName, value, key)
      }),
    remove: (key) =>
      run('delete', async (db) => {
        await db.delete(storeName, key)
      }),
  }
}

async function openStore(dbName: string, storeName: string, onGone: () => void): Promise<IDBPDatabase> {
  const db = await openDatabase(dbName, 1, {
    upgrade(database) {
      if (!database.objectStoreNames.contains(storeName)) database.createObjectStore(storeName)
    },
    blocking() {
      // Another tab wants a newer version: close so it is not blocked, reopen on next use.
      db.close()
      onGone()
    },
    terminated: onGone,
  })
  return db
}
