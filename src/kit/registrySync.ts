/** The kit's registry in storage and in the other tabs: written as a join, announced, and heard. */
import { toSessionError } from '../SessionError.js'
import type { KitRuntime } from './kitRuntime.js'
import { andThen } from './registryStorage.js'
import {
  encodeRegistry,
  mergeRegistries,
  parseRegistry,
  pruneTombstones,
  type RegistryState,
  sharedState,
} from './sessionRegistry.js'

/**
 * Joins storage's registry with this tab's, writes the join, and tells the other tabs. Writes are
 * chained: each starts once the one before has landed.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * rt.registry.trigger.used({ id: '3f2a9c81d0b4e6a7', now: rt.env.now() })
 * await persist(rt)
 * ```
 */
export function persist(rt: KitRuntime): Promise<void> {
  const { registry, channels, env, stored } = rt
  const run = () =>
    andThen(stored.read(), (fromStorage) => {
      if (rt.lifetime.signal.aborted) return
      // Storage may hold what another tab wrote and this one has not heard yet.
      registry.trigger.merged({ state: fromStorage })
      const joined = pruneTombstones(
        mergeRegistries(fromStorage, sharedState(registry.getSnapshot().context)),
        env.now(),
      ).state
      channels.registry?.publish({
        type: 'registry',
        state: JSON.parse(encodeRegistry(joined)),
        from: rt.kitId,
      })
      if (encodeRegistry(joined) !== encodeRegistry(fromStorage)) return stored.write(joined)
    })
  if (rt.writes) {
    rt.writes = rt.writes.then(run).then(() => undefined)
    return rt.writes
  }
  const result = run()
  if (!result || !('then' in result)) return Promise.resolve()
  const tail: Promise<void> = Promise.resolve(result).then(() => {
    if (rt.writes === tail) rt.writes = null
  })
  rt.writes = tail
  return tail
}

/**
 * Hears the other tabs' registries and joins them into this tab's; returns how to stop.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * const stopListening = listenToOtherKits(rt)
 * stopListening?.()
 * ```
 */
export function listenToOtherKits(rt: KitRuntime): (() => void) | undefined {
  const { registry, report } = rt
  return rt.channels.registry?.subscribe((data) => {
    if (rt.lifetime.signal.aborted) return
    const message = data as { type?: unknown; state?: unknown; from?: unknown }
    if (message?.type !== 'registry' || message.from === rt.kitId) return
    let state: RegistryState
    try {
      state = parseRegistry(message.state)
    } catch (error) {
      report(toSessionError(error, 'INVALID_SESSION', 'Ignored a malformed registry from another tab'))
      return
    }
    registry.trigger.merged({ state })
    // This tab knows something the sender did not: its write may have missed it, so write the join.
    if (encodeRegistry(sharedState(registry.getSnapshot().context)) !== encodeRegistry(state))
      void persist(rt)
  })
}

/**
 * Takes a session out of the registry (its client is signed out or gone), everywhere.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * forget(rt, '3f2a9c81d0b4e6a7')
 * ```
 */
export function forget(rt: KitRuntime, id: string): void {
  if (rt.lifetime.signal.aborted) return
  rt.registry.trigger.removed({ id, now: rt.env.now() })
  void persist(rt)
}
