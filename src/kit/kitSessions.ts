/** A kit's signed-in sessions, as the app asks for them: switch to one, restore, sign out. */
import type { SessionClient } from '../client/SessionClient.js'
import { SessionError } from '../SessionError.js'
import { clientFor } from './kitClients.js'
import type { KitRuntime } from './kitRuntime.js'
import { forget, persist } from './registrySync.js'
import type { RestoreQuery } from './SessionKit.js'
import type { RegistryEntry } from './sessionRegistry.js'

/**
 * Signs out one session and takes it out of the registry.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * await signOutOne(rt, '3f2a9c81d0b4e6a7')
 * ```
 */
export async function signOutOne(rt: KitRuntime, id: string): Promise<void> {
  const client = clientFor(rt, id)
  if (client) await client.signOut()
  if (rt.entries()[id]) forget(rt, id)
  await persist(rt)
}

/**
 * `kit.signOut(id?)`: one session, or with no id every session. Never rejects.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * await signOutSessions(rt) // every session
 * ```
 */
export async function signOutSessions(rt: KitRuntime, id?: string): Promise<void> {
  if (rt.lifetime.signal.aborted) return
  await rt.loadedPromise
  const ids = id === undefined ? Object.keys(rt.entries()) : [id]
  await Promise.all(ids.map((one) => signOutOne(rt, one)))
}

/**
 * `kit.use(id)`: makes a session this tab's active one, and marks it used.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * await makeActive(rt, '3f2a9c81d0b4e6a7').fetch('/api/orders')
 * ```
 */
export function makeActive(rt: KitRuntime, id: string): SessionClient {
  rt.live()
  if (rt.entries()[id]?.phase !== 'signedIn')
    throw new SessionError('NO_SESSION', `No session with id "${id}"`)
  rt.registry.trigger.used({ id, now: rt.env.now() })
  void persist(rt)
  const client = clientFor(rt, id)
  if (!client) throw new SessionError('NO_SESSION', `The session "${id}" is gone`)
  return client
}

function find(rt: KitRuntime, query: RestoreQuery): RegistryEntry | null {
  const candidates = Object.values(rt.entries())
    .filter((e) => e.phase === 'signedIn')
    .filter((e) => {
      if (!query) return true
      if ('id' in query) return e.id === query.id
      return e.subject === query.subject && (query.method === undefined || e.method === query.method)
    })
    .sort((a, b) => b.lastUsedAt - a.lastUsedAt || (a.id < b.id ? 1 : -1))
  return candidates[0] ?? null
}

/**
 * `kit.restore(query?)`: the client of the session asked for, once it has left `restoring`, made
 * active; null when there is none.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * const ada = await restoreSession(rt, { subject: 'ada' })
 * ```
 */
export async function restoreSession(rt: KitRuntime, query: RestoreQuery): Promise<SessionClient | null> {
  rt.live()
  await rt.loadedPromise
  const entry = find(rt, query)
  if (!entry) return null
  const client = clientFor(rt, entry.id)
  if (!client) return null
  await client.ready()
  if (!rt.entries()[entry.id]) return null
  return makeActive(rt, entry.id)
}

/**
 * `kit.restoreAll()`: every session's client, once each has left `restoring`.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * for (const client of await restoreAllSessions(rt)) client.getSession()
 * ```
 */
export async function restoreAllSessions(rt: KitRuntime): Promise<SessionClient[]> {
  rt.live()
  await rt.loadedPromise
  const clients = rt.sessions
    .getValue()
    .map((s) => clientFor(rt, s.id))
    .filter((c): c is SessionClient => c !== null)
  await Promise.all(clients.map((c) => c.ready()))
  return clients.filter((c) => [...rt.held.values()].some((h) => h.client === c))
}
