/** The IndexedDB database that holds CryptoKey objects (structured clones, never raw bytes). */
import { type IDBPDatabase, openDB } from 'idb'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import { withTimeout } from '../util/withTimeout.js'

/** Object stores: session signing key pairs, and storage encryption keys. */
export type KeyStoreName = 'sessionKeys' | 'storageKeys'

/**
 * A bounded accessor for the key database.
 *
 * @example
 * ```ts
 * const db: KeyDatabase = keyDatabase('tessera-keys', 3000)
 * const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
 * await db.put('sessionKeys', 'key-1', pair)
 * ```
 */
export interface KeyDatabase {
  get<T>(store: KeyStoreName, id: string): Promise<T | null>
  put(store: KeyStoreName, id: string, value: unknown): Promise<void>
  delete(store: KeyStoreName, id: string): Promise<void>
}

/**
 * Opens the key database lazily; every call is bounded by `timeoutMs` and rejects with
 * `SessionError('KEY_UNAVAILABLE')` when IndexedDB is missing or fails.
 *
 * @example
 * ```ts
 * const pair = await keyDatabase('tessera-keys', 3000).get<CryptoKeyPair>('sessionKeys', 'key-1')
 * ```
 */
export function keyDatabase(
  dbName: string,
  timeoutMs: number,
  env: Pick<Environment, 'setTimeout' | 'clearTimeout'> = defaultEnvironment(),
): KeyDatabase {
  let opening: Promise<IDBPDatabase> | null = null
  const open = () => {
    if (typeof indexedDB === 'undefined' || indexedDB === null) {
      return Promise.reject(
        new SessionError('KEY_UNAVAILABLE', 'IndexedDB is not available to keep session keys'),
      )
    }
    opening ??= openDB(dbName, 1, {
      upgrade(db) {
        for (const store of ['sessionKeys', 'storageKeys']) {
          if (!db.objectStoreNames.contains(store)) db.createObjectStore(store)
        }
      },
      blocking() {
        void opening?.then((db) => db.close())
        opening = null
      },
      terminated() {
        opening = null
      },
    })
    const current = opening
    current.catch(() => {
      if (opening === current) opening = null
    })
    return current
  }
  const run = <T>(what: string, work: (db: IDBPDatabase) => Promise<T>) =>
    withTimeout(open().then(work), timeoutMs, `Key database ${what} timed out`, env).catch(
      (error: unknown) => {
        throw error instanceof SessionError
          ? error
          : new SessionError('KEY_UNAVAILABLE', `Key database ${what} failed`, { cause: error })
      },
    )
  return {
    get: <T>(store: KeyStoreName, id: string) =>
      run('read', async (db) => ((await db.get(store, id)) as T | undefined) ?? null),
    put: (store, id, value) =>
      run('write', async (db) => {
        await db.put(store, value, id)
      }),
    delete: (store, id) =>
      run('delete', async (db) => {
        await db.delete(store, id)
      }),
  }
}
