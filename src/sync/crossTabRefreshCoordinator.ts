/**
 * One refresh per expiry window across all tabs. The tab that takes the lock first looks at the
 * shared marker of the latest refresh: when another tab already refreshed past the record it
 * holds, its refresh token may be spent, so it does not refresh (the other tab's broadcast brings
 * the new record). Otherwise it refreshes, holding the lock until the request has settled: on
 * timeout the request is aborted, never abandoned, so no other tab (and no retry) presents a
 * refresh token that a request still in flight may have consumed.
 */
import { compareFreshness } from '../../machines/freshness.js'
import { refOf, type SessionRef } from '../../machines/sessionRecord.js'
import { abortAfter, defaultEnvironment, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import { leaseLock, memoryLock, type RefreshLock, webLock } from './refreshLock.js'
import type { CoordinatedRefresh, RefreshCoordinator } from './SessionSync.js'
import { type SyncDatabase, syncDatabase } from './syncDatabase.js'

/**
 * Where the latest refresh is written down: which session and generation, never a token.
 *
 * @example
 * ```ts
 * import type { SessionRef } from '../../machines/sessionRecord.js'
 *
 * let latest: SessionRef | null = null
 * const markers: RefreshMarkers = {
 *   get: async () => latest,
 *   put: async (ref) => {
 *     latest = ref
 *   },
 * }
 * ```
 */
export interface RefreshMarkers {
  get(): Promise<SessionRef | null>
  put(marker: SessionRef): Promise<void>
}

/**
 * Options of {@link coordinateRefreshes}.
 *
 * @example
 * ```ts
 * import { defaultEnvironment } from '../environment/Environment.js'
 * import { memoryLock } from './refreshLock.js'
 *
 * const env = defaultEnvironment()
 * const options: CoordinatorParts = { lock: memoryLock(10_000, env), markers: null, refreshTimeoutMs: 15_000, environment: env }
 * ```
 */
export interface CoordinatorParts {
  lock: RefreshLock
  /** Null where tabs share no marker (one tab): the machine's single flight is enough. */
  markers: RefreshMarkers | null
  /** A refresh request is aborted after this long. */
  refreshTimeoutMs: number
  /** The lock is let go at the latest this long after the abort, even if the method never settles. */
  settleGraceMs?: number
  environment: Environment
}

/**
 * A coordinator from a lock and a marker store (the browser default and the in-process bus both
 * use it).
 *
 * @example
 * ```ts
 * import { defaultEnvironment } from '../environment/Environment.js'
 * import { memoryLock } from './refreshLock.js'
 *
 * const env = defaultEnvironment()
 * const coordinator = coordinateRefreshes({ lock: memoryLock(10_000, env), markers: null, refreshTimeoutMs: 15_000, environment: env })
 * ```
 */
export function coordinateRefreshes(parts: CoordinatorParts): RefreshCoordinator {
  const env = parts.environment
  const graceMs = parts.settleGraceMs ?? parts.refreshTimeoutMs

  /** Runs the request, aborts it on timeout, and waits for it to settle (bounded by the grace). */
  async function settled<T>(request: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    const timeout = new SessionError('TIMEOUT', 'The refresh took too long and was aborted')
    const bounded = abortAfter(env, parts.refreshTimeoutMs, timeout, signal)
    let cap: unknown
    try {
      const pending = request(bounded.signal)
      const giveUp = new Promise<never>((_, reject) => {
        const start = () => {
          cap = env.setTimeout(
            () => reject(new SessionError('TIMEOUT', 'The refresh never settled after it was aborted')),
            graceMs,
          )
        }
        if (bounded.signal.aborted) start()
        else bounded.signal.addEventListener('abort', start, { once: true })
      })
      return await Promise.race([pending, giveUp])
    } catch (error) {
      // The request was cut by our own timeout: say so, whatever the method threw.
      if (bounded.signal.reason === timeout && !signal.aborted)
        throw new SessionError('TIMEOUT', timeout.message, { cause: error })
      throw error
    } finally {
      env.clearTimeout(cap)
      bounded.dispose()
    }
  }

  return {
    refresh(record, refresh, signal) {
      return parts.lock.hold(signal, async (): Promise<CoordinatedRefresh> => {
        const latest = (await parts.markers?.get().catch(() => null)) ?? null
        if (latest && compareFreshness(latest, record) > 0) return { kind: 'superseded', latest }
        const fresh = await settled((requestSignal) => refresh(record, requestSignal), signal)
        await parts.markers?.put(refOf(fresh)).catch(() => undefined)
        return { kind: 'refreshed', record: fresh }
      })
    },
  }
}

/** The shared database, opened on first use (idb loads then): a page that never refreshes never downloads idb. */
function lazySyncDatabase(options: Parameters<typeof syncDatabase>[0]): SyncDatabase {
  let db: Promise<SyncDatabase> | undefined
  const get = () => {
    db ??= Promise.resolve().then(() => syncDatabase(options))
    return db
  }
  return {
    getMarker: (key) => get().then((d) => d.getMarker(key)),
    putMarker: (key, marker) => get().then((d) => d.putMarker(key, marker)),
    tryAcquireLease: (key, owner, now, durationMs) =>
      get().then((d) => d.tryAcquireLease(key, owner, now, durationMs)),
    releaseLease: (key, owner) => get().then((d) => d.releaseLease(key, owner)),
    close: () => {
      void db?.then((d) => d.close())
    },
  }
}

/**
 * Options of {@link crossTabRefreshCoordinator}.
 *
 * @example
 * ```ts
 * const options: CrossTabRefreshOptions = { prefix: 'tessera', appId: 'shop', lockTimeoutMs: 10_000 }
 * ```
 */
export interface CrossTabRefreshOptions {
  prefix: string
  appId: string
  /** Longest wait for the lock; then the refresh fails transiently and the machine backs off. Default 10 s. */
  lockTimeoutMs?: number
  /** A refresh request is aborted after this long (the lock is held until it settles). Default 15 s. */
  refreshTimeoutMs?: number
  /** Web Locks; default `navigator.locks`. `null` forces the IndexedDB lease. */
  locks?: LockManager | null
  db?: SyncDatabase
  /** Clock, timers and randomness; default the globals. */
  environment?: Environment
}

/**
 * The browser default: Web Locks (or an IndexedDB lease where they are missing) and a marker of
 * the latest refresh in IndexedDB. Outside a browser, refreshes are only single-flight per client.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * createSessionClient({ appId: 'shop', methods, refreshCoordinator: crossTabRefreshCoordinator({ prefix: 'tessera', appId: 'shop' }) })
 * ```
 */
export function crossTabRefreshCoordinator(
  options: CrossTabRefreshOptions,
): RefreshCoordinator & { close(): void } {
  const key = `${options.prefix}:${options.appId}`
  const env = options.environment ?? defaultEnvironment()
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000
  const refreshTimeoutMs = options.refreshTimeoutMs ?? 15_000
  const locks =
    options.locks === undefined
      ? typeof navigator !== 'undefined' && navigator.locks
        ? navigator.locks
        : null
      : options.locks
  const hasIndexedDb = typeof indexedDB !== 'undefined' && indexedDB !== null
  const db =
    options.db ??
    (hasIndexedDb ? lazySyncDatabase({ timeoutMs: Math.min(lockTimeoutMs, 3000), environment: env }) : null)
  const lock = locks
    ? webLock(locks, `tessera:${key}:refresh`, lockTimeoutMs, env)
    : db
      ? leaseLock(db, key, globalThis.crypto.randomUUID(), { lockTimeoutMs, leaseMs: 6000 }, env)
      : memoryLock(lockTimeoutMs, env)
  const markers: RefreshMarkers | null = db
    ? { get: () => db.getMarker(key), put: (marker) => db.putMarker(key, marker) }
    : null
  return {
    ...coordinateRefreshes({ lock, markers, refreshTimeoutMs, environment: env }),
    close: () => db?.close(),
  }
}
