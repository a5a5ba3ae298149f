/**
 * The clients follow the registry: an entry that appears gets a client (another tab's once its
 * data shows in storage), an entry that goes takes its client with it.
 */
import { holdsSession, makeClient, release } from './kitClients.js'
import type { KitRuntime } from './kitRuntime.js'
import { andThen } from './registryStorage.js'
import { refreshSummaries } from './sessionSummaries.js'

/** How long a tab waits for another tab's new session to show in storage before reading it anyway. */
const ADOPT_WAIT_MS = 5000
const ADOPT_POLL_MS = 100

/**
 * Another tab's new session: made once its data shows in storage (a message can come first).
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * adopt(rt, '3f2a9c81d0b4e6a7')
 * ```
 */
export function adopt(rt: KitRuntime, id: string): void {
  rt.adopting.add(id)
  const store = rt.namespaceStore(id)
  const deadline = rt.env.now() + ADOPT_WAIT_MS
  const attempt = (): void => {
    void andThen(store.read(true), (state) => {
      if (rt.lifetime.signal.aborted || rt.entries()[id]?.phase !== 'signedIn' || rt.held.has(id)) {
        rt.adopting.delete(id)
        return
      }
      if (state.record || rt.env.now() >= deadline) {
        rt.adopting.delete(id)
        makeClient(rt, id, 'remote')
        refreshSummaries(rt)
        return
      }
      rt.env.setTimeout(attempt, ADOPT_POLL_MS)
    })
  }
  attempt()
}

/**
 * Makes the clients follow the registry. Re-entrant calls (a client made here changes the
 * registry) ask the running pass for one more round instead of nesting.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * const stopReconciling = rt.registry.subscribe(() => reconcile(rt))
 * ```
 */
export function reconcile(rt: KitRuntime): void {
  if (!rt.loaded || rt.lifetime.signal.aborted) return
  if (rt.reconciling) {
    rt.again = true
    return
  }
  rt.reconciling = true
  try {
    do {
      rt.again = false
      const current = rt.entries()
      for (const [id, h] of [...rt.held]) if (!current[id]) release(rt, id, h)
      for (const entry of Object.values(current)) {
        const h = rt.held.get(entry.id)
        if (!h) {
          // Another tab's sign-in in progress has no client here: its own tab runs it.
          if (entry.phase === 'signedIn' && !rt.adopting.has(entry.id)) adopt(rt, entry.id)
        } else if (entry.phase === 'signedIn' && h.phase === 'signingIn') {
          h.phase = 'signedIn'
          // Another tab completed the sign-in this tab's client was waiting for: read it afresh.
          if (!holdsSession(h.client.getStatus()) && !rt.signingIn.has(entry.id)) {
            rt.held.delete(entry.id)
            h.off()
            h.client.destroy()
            adopt(rt, entry.id)
          }
        }
      }
    } while (rt.again)
  } finally {
    rt.reconciling = false
  }
  refreshSummaries(rt)
}
