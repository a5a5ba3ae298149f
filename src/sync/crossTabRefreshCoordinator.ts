/**
 * One refresh per expiry window across all tabs: the tab that wins a Web Lock (or, without Web
 * Locks, an IndexedDB lease) refreshes; the others take its result from IndexedDB or from its
 * broadcast. Every wait is bounded and the lock is never held across an app callback.
 */
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import { withTimeout } from '../util/withTimeout.js'
import type { RefreshCoordinator } from './SessionSync.js'
import type { SyncDatabase } from './syncDatabase.js'

/** The shared database, with idb loaded on first use: a page that never refreshes never downloads it. */
function lazySyncDatabase(
  options: Parameters<typeof import('./syncDatabase.js').syncDatabase>[0],
): SyncDatabase {
  let db: Promise<SyncDatabase> | undefined
  const get = () => {
    db ??= import('./syncDatabase.js').then((m) => m.syncDatabase(options))
    return db
  }
  return {
    getLatest: (key) => get().then((d) => d.getLatest(key)),
    putLatest: (key, record) => get().then((d) => d.putLatest(key, record)),
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
  /** Longest time the lock holder may spend refreshing before it lets go. Default 15 s. */
  refreshTimeoutMs?: number
  /** Web Locks; default `navigator.locks`. `null` forces the IndexedDB lease. */
  locks?: LockManager | null
  db?: SyncDatabase
  /** Clock, timers and randomness; default the globals. */
  environment?: Environment
}

/** Same session, and a token that lives longer: another tab already refreshed it. */
function isFresherThan(latest: SessionRecord | null, record: SessionRecord): latest is SessionRecord {
  return (
    latest !== null &&
    latest.session.id === record.session.id &&
    latest.session.expiresAt > record.session.expiresAt &&
    latest.session.accessToken !== record.session.accessToken
  )
}

function abortableSleep(env: Environment, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = env.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      env.clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * The browser default where Web Locks or IndexedDB exist.
 *
 * @example
 * ```ts
 * createSessionClient({ appId: 'shop', methods, refreshCoordinator: crossTabRefreshCoordinator({ prefix: 'tessera', appId: 'shop' }) })
 * ```
 */
export function crossTabRefreshCoordinator(options: CrossTabRefreshOptions): RefreshCoordinator {
  const key = `${options.prefix}:${options.appId}`
  const lockName = `tessera:${key}:refresh`
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000
  const refreshTimeoutMs = options.refreshTimeoutMs ?? 15_000
  const env = options.environment ?? defaultEnvironment()
  const now = () => env.now()
  const random = () => env.random()
  const locks =
    options.locks === undefined
      ? typeof navigator !== 'undefined' && navigator.locks
        ? navigator.locks
        : null
      : options.locks
  const db = options.db ?? lazySyncDatabase({ timeoutMs: Math.min(lockTimeoutMs, 3000), environment: env })
  const owner = globalThis.crypto.randomUUID()

  /** Waits at most lockTimeoutMs for the Web Lock; holding it has its own bound (refreshTimeoutMs). */
  async function withWebLock<T>(
    lockManager: LockManager,
    signal: AbortSignal | undefined,
    work: () => Promise<T>,
  ) {
    const waiting = new AbortController()
    const timer = env.setTimeout(
      () =>
        waiting.abort(new SessionError('TIMEOUT', 'Waited too long for another tab to finish refreshing')),
      lockTimeoutMs,
    )
    const onAbort = () => waiting.abort(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return (await lockManager.request(lockName, { signal: waiting.signal }, () => {
        env.clearTimeout(timer)
        return work()
      })) as T
    } catch (error) {
      if (waiting.signal.aborted) throw waiting.signal.reason
      throw error
    } finally {
      env.clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Without Web Locks: an IndexedDB lease, polled with jitter, bounded like the lock. */
  async function withLease<T>(signal: AbortSignal | undefined, work: () => Promise<T>) {
    const deadline = now() + lockTimeoutMs
    for (let attempt = 0; ; attempt++) {
      if (await db.tryAcquireLease(key, owner, now(), refreshTimeoutMs + 1000)) break
      if (now() >= deadline)
        throw new SessionError('TIMEOUT', 'Waited too long for another tab to finish refreshing')
      await abortableSleep(env, 40 + random() * 60 + Math.min(attempt, 10) * 10, signal)
    }
    try {
      return await work()
    } finally {
      await db.releaseLease(key, owner).catch(() => undefined)
    }
  }

  return {
    async refresh(record, refresh, signal) {
      const underLock = async () => {
        // What the lock protects lives in IndexedDB: the winner wrote it before letting go.
        const latest = await db.getLatest(key).catch(() => null)
        if (isFresherThan(latest, record)) return latest
        const fresh = await withTimeout(refresh(record), refreshTimeoutMs, 'The refresh took too long', env)
        await db.putLatest(key, fresh).catch(() => undefined)
        return fresh
      }
      if (locks) return withWebLock(locks, signal, underLock)
      if (typeof indexedDB !== 'undefined') return withLease(signal, underLock)
      return refresh(record)
    },
    close() {
      db.close()
    },
  }
}
