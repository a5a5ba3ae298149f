/** The kit's clients, one per session: made in the session's namespace, watched, and let go. */
import { EMPTY_STORED_STATE } from '../../machines/sessionRecord.js'
import { createSessionClient } from '../client/createSessionClient.js'
import type { SessionClient } from '../client/SessionClient.js'
import type { SessionStatus } from '../session.js'
import type { Held, KitRuntime } from './kitRuntime.js'
import { forget } from './registrySync.js'
import { refreshSummaries } from './sessionSummaries.js'

/**
 * Statuses in which a client holds something its namespace keeps (a session or a pending redirect).
 *
 * @example
 * ```ts
 * holdsSomething('oidcRedirectPending') // true
 * ```
 */
export const holdsSomething = (status: SessionStatus) => status !== 'signedOut' && status !== 'restoring'

/**
 * Statuses in which a client holds a session.
 *
 * @example
 * ```ts
 * holdsSession('expired') // true: the session is still there, to refresh or sign out
 * ```
 */
export const holdsSession = (status: SessionStatus) =>
  status === 'active' || status === 'refreshing' || status === 'expired'

function onStatus(rt: KitRuntime, id: string, h: Held, status: SessionStatus): void {
  const previous = h.status
  h.status = status
  if (status === 'signedOut' && !rt.lifetime.signal.aborted && rt.held.get(id) === h) {
    const entry = rt.entries()[id]
    const fromNothing = previous === undefined || previous === 'restoring'
    if (entry && !fromNothing) {
      // Signed out here, in another tab, by revoking its own credential, or a sign-in that failed.
      forget(rt, id)
    } else if (entry && h.made === 'load' && entry.phase === 'signedIn') {
      // Its namespace holds no session any more: the entry is all that was left.
      forget(rt, id)
    } else if (
      entry?.phase === 'signingIn' &&
      !rt.signingIn.has(id) &&
      rt.env.now() - entry.createdAt > rt.redirectTimeoutMs
    ) {
      // A sign-in that never came back (its tab closed, its redirect abandoned).
      forget(rt, id)
    }
  }
  refreshSummaries(rt)
}

/**
 * Makes the client of session `id`, in its own namespace, and follows its status.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * const h = makeClient(rt, '3f2a9c81d0b4e6a7', 'load')
 * h.client.getStatus()
 * ```
 */
export function makeClient(rt: KitRuntime, id: string, made: Held['made']): Held {
  const client = createSessionClient({
    ...rt.clientOptions,
    appId: rt.namespaceOf(id),
    storageKeyPrefix: rt.prefix,
    storage: rt.storage,
    keyStore: rt.keyStore,
    sync: rt.channels.forSession(id),
    environment: rt.env,
    // The kit completes redirects itself, in the one session that started it.
    detectRedirectCallback: false,
  })
  const h: Held = {
    client,
    status: undefined,
    made,
    phase: rt.entries()[id]?.phase ?? 'signingIn',
    off: () => undefined,
  }
  rt.held.set(id, h)
  const subscriptions = [
    client.errors$.subscribe(rt.report),
    client.authState$.subscribe(({ status }) => onStatus(rt, id, h, status)),
  ]
  h.off = () => {
    for (const s of subscriptions) s.unsubscribe()
  }
  return h
}

/**
 * Lets a client go: signed out first when it still holds something (its entry was removed).
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * for (const [id, h] of [...rt.held]) if (!rt.entries()[id]) release(rt, id, h)
 * ```
 */
export function release(rt: KitRuntime, id: string, h: Held): void {
  rt.held.delete(id)
  h.off()
  const status = h.client.getStatus()
  if (holdsSomething(status)) void h.client.signOut().finally(() => h.client.destroy())
  else h.client.destroy()
}

/**
 * The client of an entry, made now if this tab has none yet.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * await clientFor(rt, '3f2a9c81d0b4e6a7')?.ready()
 * ```
 */
export function clientFor(rt: KitRuntime, id: string): SessionClient | null {
  if (!rt.entries()[id]) return null
  const h = rt.held.get(id) ?? makeClient(rt, id, 'load')
  refreshSummaries(rt)
  return rt.held.get(id) === h ? h.client : null
}

/**
 * Forgets what a long-removed session left in its namespace (a sign-out marker), never a session.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * clearNamespace(rt, '3f2a9c81d0b4e6a7')
 * ```
 */
export function clearNamespace(rt: KitRuntime, id: string): void {
  if (rt.held.has(id)) return
  rt.namespaceStore(id).write(EMPTY_STORED_STATE, null)
}
