/**
 * An in-process tab bus: every client given the same `memorySync()` behaves as a tab of one
 * browser origin. Messages are delivered asynchronously (like BroadcastChannel) or held for the
 * test to deliver in any order (`manual`), and the tabs share a refresh lock and the marker of the
 * latest refresh, as Web Locks and IndexedDB give real tabs.
 */
import type { SessionRef } from '../../machines/sessionRecord.js'
import type { Environment } from '../environment/Environment.js'
import { coordinateRefreshes } from '../sync/crossTabRefreshCoordinator.js'
import { memoryLock, type RefreshLock } from '../sync/refreshLock.js'
import type { RefreshCoordinator, SessionSync, SyncMessage } from '../sync/SessionSync.js'

/** A message on its way to one tab. */
export interface PendingDelivery {
  message: SyncMessage
  /** Which subscriber it is for (in subscription order). */
  to: number
}

/**
 * The bus. Pass the same object as `sync` to every client that should act as a tab of one origin.
 *
 * @example
 * ```ts
 * const tabs = memorySync({ manual: true })
 * tabs.pending.length // messages published but not yet delivered
 * tabs.deliver(1)     // deliver the second one first
 * tabs.deliverAll()
 * ```
 */
export interface MemorySync extends SessionSync {
  /** Undelivered messages, oldest first (manual mode). */
  readonly pending: readonly PendingDelivery[]
  /** Delivers the pending message at `index` (default the oldest); false when there is none. */
  deliver(index?: number): boolean
  /** Delivers every pending message, including those their delivery causes (bounded). */
  deliverAll(): number
  /** How many messages were published. */
  readonly published: number
  refreshCoordinator(options: { key: string; environment: Environment }): RefreshCoordinator
}

/**
 * Options of {@link memorySync}.
 *
 * @example
 * ```ts
 * const options: MemorySyncOptions = { manual: true, refreshTimeoutMs: 5_000 }
 * ```
 */
export interface MemorySyncOptions {
  /** Hold messages until the test delivers them. Default false: delivered on the next microtask. */
  manual?: boolean
  /** Bound on the shared refresh lock's wait. Default 10 s. */
  lockTimeoutMs?: number
  /** Bound on one refresh request. Default 15 s. */
  refreshTimeoutMs?: number
}

/**
 * Creates a bus for tabs simulated in one process.
 *
 * @example
 * ```ts
 * import { createSessionClient, memoryKeyStore, memoryStorage } from 'tessera-session'
 * import { memorySync, simulatedEnvironment } from 'tessera-session/testing'
 *
 * const env = simulatedEnvironment()
 * const origin = { sync: memorySync(), storage: memoryStorage(), keyStore: memoryKeyStore(), environment: env }
 * const tabA = createSessionClient({ appId: 'shop', methods, ...origin })
 * const tabB = createSessionClient({ appId: 'shop', methods, ...origin })
 * await tabA.signOut() // tabB hears it on the next microtask
 * ```
 */
export function memorySync(options: MemorySyncOptions = {}): MemorySync {
  const listeners: Array<((message: unknown) => void) | null> = []
  const pending: PendingDelivery[] = []
  const locks = new Map<string, RefreshLock>()
  const markers = new Map<string, SessionRef>()
  let published = 0

  const send = (delivery: PendingDelivery) => {
    // A structured clone, as BroadcastChannel delivers: no tab shares objects with another.
    listeners[delivery.to]?.(structuredClone(delivery.message))
  }
  const deliver = (index = 0) => {
    const [delivery] = pending.splice(index, 1)
    if (!delivery) return false
    send(delivery)
    return true
  }

  return {
    publish(message) {
      published++
      listeners.forEach((listener, to) => {
        if (!listener) return
        const delivery = { message, to }
        if (options.manual) pending.push(delivery)
        else queueMicrotask(() => send(delivery))
      })
    },
    subscribe(listener) {
      const index = listeners.push(listener) - 1
      return () => {
        listeners[index] = null
        for (let i = pending.length - 1; i >= 0; i--) if (pending[i]?.to === index) pending.splice(i, 1)
      }
    },
    // Each client unsubscribes itself; the bus outlives any one tab.
    close: () => undefined,
    get pending() {
      return pending
    },
    get published() {
      return published
    },
    deliver,
    deliverAll() {
      let delivered = 0
      while (delivered < 100_000 && deliver()) delivered++
      return delivered
    },
    refreshCoordinator({ key, environment }) {
      let lock = locks.get(key)
      if (!lock) {
        lock = memoryLock(options.lockTimeoutMs ?? 10_000, environment)
        locks.set(key, lock)
      }
      return coordinateRefreshes({
        lock,
        markers: {
          get: async () => markers.get(key) ?? null,
          put: async (marker) => {
            markers.set(key, { ...marker })
          },
        },
        refreshTimeoutMs: options.refreshTimeoutMs ?? 15_000,
        environment,
      })
    },
  }
}
