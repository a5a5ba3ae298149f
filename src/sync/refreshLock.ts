/**
 * The lock one tab holds while it refreshes. Waiting for it is bounded (`lockTimeoutMs`); holding
 * it lasts exactly as long as the work, which the coordinator bounds itself. Three kinds: Web
 * Locks, an IndexedDB lease renewed while held (where Web Locks are missing), and an in-process
 * lock (tabs simulated in one process, see `tessera-session/testing`).
 */
import type { Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import type { SyncDatabase } from './syncDatabase.js'

/**
 * Runs `work` while holding the lock; rejects with `TIMEOUT` when the lock is not free within
 * the wait bound, or with `signal.reason` when `signal` aborts the wait.
 *
 * @example
 * ```ts
 * declare const lock: RefreshLock
 * declare function refreshOnce(): Promise<string>
 * const token = await lock.hold(AbortSignal.timeout(30_000), () => refreshOnce())
 * ```
 */
export interface RefreshLock {
  hold<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T>
}

const waitedTooLong = () =>
  new SessionError('TIMEOUT', 'Waited too long for another tab to finish refreshing')

/**
 * A Web Lock (`navigator.locks`): the browser releases it if the holding tab closes or crashes.
 *
 * @example
 * ```ts
 * import { defaultEnvironment } from '../environment/Environment.js'
 *
 * const lock = webLock(navigator.locks, 'tessera:shop:refresh', 10_000, defaultEnvironment())
 * ```
 */
export function webLock(
  locks: LockManager,
  name: string,
  lockTimeoutMs: number,
  env: Environment,
): RefreshLock {
  return {
    async hold(signal, work) {
      const waiting = new AbortController()
      const timer = env.setTimeout(() => waiting.abort(waitedTooLong()), lockTimeoutMs)
      const onAbort = () => waiting.abort(signal.reason)
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
      try {
        return (await locks.request(name, { signal: waiting.signal }, () => {
          env.clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          return work()
        })) as Awaited<ReturnType<typeof work>>
      } catch (error) {
        if (waiting.signal.aborted) throw waiting.signal.reason
        throw error
      } finally {
        env.clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      }
    },
  }
}

function abortableSleep(env: Environment, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      env.clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = env.setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * An IndexedDB lease: taken in a readwrite transaction (IndexedDB serializes them across tabs),
 * polled with jitter while another tab holds it, and renewed every third of its length while the
 * work runs, so it never lapses under a slow refresh. A tab that dies leaves it to lapse.
 *
 * @example
 * ```ts
 * import { defaultEnvironment } from '../environment/Environment.js'
 * import { syncDatabase } from './syncDatabase.js'
 *
 * const db = syncDatabase({ timeoutMs: 2000 })
 * const tabId = crypto.randomUUID()
 * const lock = leaseLock(db, 'tessera:shop', tabId, { lockTimeoutMs: 10_000, leaseMs: 6_000 }, defaultEnvironment())
 * ```
 */
export function leaseLock(
  db: SyncDatabase,
  key: string,
  owner: string,
  options: { lockTimeoutMs: number; leaseMs: number },
  env: Environment,
): RefreshLock {
  return {
    async hold(signal, work) {
      const deadline = env.now() + options.lockTimeoutMs
      for (let attempt = 0; ; attempt++) {
        if (await db.tryAcquireLease(key, owner, env.now(), options.leaseMs)) break
        if (env.now() >= deadline) throw waitedTooLong()
        await abortableSleep(env, 40 + env.random() * 60 + Math.min(attempt, 10) * 10, signal)
      }
      let renewal: unknown
      const renew = () => {
        renewal = env.setTimeout(() => {
          void db.tryAcquireLease(key, owner, env.now(), options.leaseMs).catch(() => undefined)
          renew()
        }, options.leaseMs / 3)
      }
      renew()
      try {
        return await work()
      } finally {
        env.clearTimeout(renewal)
        await db.releaseLease(key, owner).catch(() => undefined)
      }
    },
  }
}

/**
 * A FIFO lock for tabs simulated in one process.
 *
 * @example
 * ```ts
 * import { simulatedEnvironment } from 'tessera-session/testing'
 *
 * const lock = memoryLock(10_000, simulatedEnvironment())
 * ```
 */
export function memoryLock(lockTimeoutMs: number, env: Environment): RefreshLock {
  let tail: Promise<void> = Promise.resolve()
  return {
    async hold(signal, work) {
      const previous = tail
      let release: () => void = () => undefined
      tail = new Promise<void>((resolve) => {
        release = resolve
      })
      const waiting = new AbortController()
      const timer = Number.isFinite(lockTimeoutMs)
        ? env.setTimeout(() => waiting.abort(waitedTooLong()), lockTimeoutMs)
        : undefined
      const onAbort = () => waiting.abort(signal.reason)
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
      try {
        await new Promise<void>((resolve, reject) => {
          waiting.signal.addEventListener('abort', () => reject(waiting.signal.reason), { once: true })
          void previous.then(resolve)
        })
      } catch (error) {
        // Give our turn away as soon as the one before us is done.
        void previous.then(release)
        throw error
      } finally {
        env.clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      }
      try {
        return await work()
      } finally {
        release()
      }
    },
  }
}
