/**
 * The IndexedDB database the tabs of an origin share for refresh coordination: the latest
 * refreshed record (what the refresh lock protects) and the lease used where Web Locks are missing.
 * IndexedDB, not localStorage: Chromium tabs keep their own cached view of localStorage.
 */
import { type IDBPDatabase, openDB } from 'idb'
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import { withTimeout } from '../util/withTimeout.js'

const DB_NAME = 'tessera-sync'
const DB_VERSION = 1

interface Lease {
  owner: string
  /** ms since the epoch. */
  until: number
}

/**
 * Shared, transactional state between tabs.
 *
 * @example
 * ```ts
 * const db = syncDatabase({ timeoutMs: 2000 })
 * const latest = await db.getLatest('tessera:shop')
 * ```
 */
export interface SyncDatabase {
  getLatest(key: string): Promise<SessionRecord | null>
  putLatest(key: string, record: SessionRecord): Promise<void>
  /** Atomically takes the lease when it is free or lapsed. IndexedDB serializes readwrite transactions across tabs. */
  tryAcquireLease(key: string, owner: string, now: number, durationMs: number): Promise<boolean>
  releaseLease(key: string, owner: string): Promise<void>
  close(): void
}

/**
 * Opens the shared database lazily; every call is bounded by `timeoutMs`, and a blocked or
 * failed open rejects with `SessionError('STORAGE')` rather than hanging.
 *
 * @example
 * ```ts
 * const db = syncDatabase({ timeoutMs: 2000 })
 * if (await db.tryAcquireLease('tessera:shop', tabId, env.now(), 10_000)) { … }
 * ```
 */
export function syncDatabase(options: {
  timeoutMs: number
  environment?: Pick<Environment, 'setTimeout' | 'clearTimeout'>
}): SyncDatabase {
  const env = options.environment ?? defaultEnvironment()
  let opening: Promise<IDBPDatabase> | null = null
  const db = () => {
    if (typeof indexedDB === 'undefined') {
      return Promise.reject(new SessionError('STORAGE', 'IndexedDB is not available'))
    }
    opening ??= withTimeout(
      openDB(DB_NAME, DB_VERSION, {
        upgrade(database) {
          if (!database.objectStoreNames.contains('latest')) database.createObjectStore('latest')
          if (!database.objectStoreNames.contains('leases')) database.createObjectStore('leases')
        },
        blocking() {
          // A newer tessera wants to upgrade: step aside instead of blocking it.
          void opening?.then((d) => d.close())
          opening = null
        },
        terminated() {
          opening = null
        },
      }),
      options.timeoutMs,
      'Opening the tessera-sync database timed out',
      env,
    ).catch((error: unknown) => {
      opening = null
      throw error instanceof SessionError
        ? error
        : new SessionError('STORAGE', 'Could not open the tessera-sync database', { cause: error })
    })
    return opening
  }
  const bounded = <T>(work: (d: IDBPDatabase) => Promise<T>, what: string) =>
    withTimeout(db().then(work), options.timeoutMs, `${what} timed out`, env)

  return {
    getLatest: (key) =>
      bounded(
        async (d) => ((await d.get('latest', key)) as SessionRecord | undefined) ?? null,
        'Reading the latest session',
      ),
    putLatest: (key, record) =>
      bounded(async (d) => {
        await d.put('latest', record, key)
      }, 'Writing the latest session'),
    tryAcquireLease: (key, owner, now, durationMs) =>
      bounded(async (d) => {
        const tx = d.transaction('leases', 'readwrite')
        const current = (await tx.store.get(key)) as Lease | undefined
        if (current && current.until > now && current.owner !== owner) {
          await tx.done
          return false
        }
        await tx.store.put({ owner, until: now + durationMs } satisfies Lease, key)
        await tx.done
        return true
      }, 'Taking the refresh lease'),
    releaseLease: (key, owner) =>
      bounded(async (d) => {
        const tx = d.transaction('leases', 'readwrite')
        const current = (await tx.store.get(key)) as Lease | undefined
        if (current?.owner === owner) await tx.store.delete(key)
        await tx.done
      }, 'Releasing the refresh lease'),
    close() {
      void opening?.then((d) => d.close()).catch(() => undefined)
      opening = null
    },
  }
}
