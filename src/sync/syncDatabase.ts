/**
 * The IndexedDB database the tabs of an origin share for refresh coordination: a marker naming
 * the latest refresh (which session, which generation; never a token) and the lease used where
 * Web Locks are missing. IndexedDB, not localStorage: Chromium tabs keep their own cached view of
 * localStorage, and a marker read under the lock must be the truth.
 */
import type { IDBPDatabase } from 'idb'
import { parseSessionRef } from '../../machines/parseSessionData.js'
import type { SessionRef } from '../../machines/sessionRecord.js'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import { openDatabase } from '../util/openDatabase.js'
import { withTimeout } from '../util/withTimeout.js'

const DB_NAME = 'tessera-sync'
// Version 2 replaced the store `latest` (whole records, refresh tokens included) by `markers`.
const DB_VERSION = 2

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
 * const marker = await db.getMarker('tessera:shop')
 * ```
 */
export interface SyncDatabase {
  /** The latest refresh any tab made, checked by the one parser; null when none or unreadable. */
  getMarker(key: string): Promise<SessionRef | null>
  putMarker(key: string, marker: SessionRef): Promise<void>
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
 * if (await db.tryAcquireLease('tessera:shop', 'tab-1', Date.now(), 10_000)) {
 *   await db.releaseLease('tessera:shop', 'tab-1')
 * }
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
      openDatabase(DB_NAME, DB_VERSION, {
        upgrade(database) {
          // Earlier versions kept whole records here, refresh tokens included: they go.
          if (database.objectStoreNames.contains('latest')) database.deleteObjectStore('latest')
          if (!database.objectStoreNames.contains('markers')) database.createObjectStore('markers')
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
    getMarker: (key) =>
      bounded(async (d) => {
        const value: unknown = await d.get('markers', key)
        try {
          return value === undefined ? null : parseSessionRef(value)
        } catch {
          return null
        }
      }, 'Reading the refresh marker'),
    putMarker: (key, marker) =>
      bounded(async (d) => {
        await d.put('markers', { ...marker }, key)
      }, 'Writing the refresh marker'),
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
