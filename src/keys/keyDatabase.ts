/** The IndexedDB database that holds CryptoKey objects (structured clones, never raw bytes). */
import type { IDBPDatabase } from 'idb'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import { openDatabase } from '../util/openDatabase.js'
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
  /**
   * The value stored under `id`, or `value` after storing it when there was none, in one
   * read-write transaction: of several tabs racing to create the same entry, the first wins
   * and every tab gets the winner's value.
   */
  getOrAdd<T>(store: KeyStoreName, id: string, value: T): Promise<T>
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
  const open = (): Promise<IDBPDatabase> => {
    if (typeof indexedDB === 'undefined' || indexedDB === null) {
      return Promise.reject(
        new SessionError('KEY_UNAVAILABLE', 'IndexedDB is not available to keep session keys'),
      )
    }
    if (opening) return opening
    const attempt = openDatabase(dbName, 1, {
      upgrade(db) {
        for (const store of ['sessionKeys', 'storageKeys']) {
          if (!db.objectStoreNames.contains(store)) db.createObjectStore(store)
        }
      },
      blocking(_current, _blocked, event) {
        // Another tab wants a newer version: close this connection so it is not blocked, and
        // open again on the next call.
        ;(event.target as IDBDatabase).close()
        if (opening === current) opening = null
      },
      terminated() {
        if (opening === current) opening = null
      },
    })
    // Bounded: a hung open is given up on and the next call opens again, rather than every call
    // waiting on it for the life of the page (firebase-js-sdk #10311; as indexedDbStorage does).
    const current = withTimeout(attempt, timeoutMs, `Opening the key database "${dbName}" timed out`, env)
    opening = current
    current.catch(() => {
      if (opening === current) opening = null
      // An open that lands after it was given up on is closed, not left holding the database.
      attempt.then(
        (db) => db.close(),
        () => undefined,
      )
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
    getOrAdd: <T>(store: KeyStoreName, id: string, value: T) =>
      run('write', async (db) => {
        // Read-write transactions on one store run one at a time across every connection of the
        // origin, so no other tab can add between this get and this add.
        const tx = db.transaction(store, 'readwrite')
        const existing = (await tx.store.get(id)) as T | undefined
        if (existing === undefined) await tx.store.add(value, id)
        await tx.done
        return existing ?? value
      }),
    delete: (store, id) =>
      run('delete', async (db) => {
        await db.delete(store, id)
      }),
  }
}
