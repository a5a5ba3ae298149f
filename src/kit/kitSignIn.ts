/** A kit's sign-ins: each in a new session of its own, and redirects completed in the session that started them. */
import { pageLocation } from '../client/signInOperations.js'
import { SessionError } from '../SessionError.js'
import type { Session } from '../session.js'
import { clientFor, holdsSomething, makeClient } from './kitClients.js'
import type { KitRuntime } from './kitRuntime.js'
import { signOutOne } from './kitSessions.js'
import { forget, persist } from './registrySync.js'
import type { KitSignIn } from './SessionKit.js'

function newId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(8))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** A sign-in completed in session `id`: it joins the registry, and the same account's older session goes. */
async function complete(rt: KitRuntime, id: string, session: Session): Promise<KitSignIn> {
  const now = rt.env.now()
  rt.registry.trigger.completed({ id, subject: session.subject, now })
  const replaced = Object.values(rt.entries()).filter(
    (e) =>
      e.id !== id &&
      e.phase === 'signedIn' &&
      e.method === session.method &&
      e.subject === session.subject &&
      (e.signedInAt ?? e.createdAt) <= now,
  )
  rt.registry.trigger.used({ id, now })
  const persisted = persist(rt)
  await Promise.all(replaced.map((e) => signOutOne(rt, e.id)))
  await persisted
  const client = rt.held.get(id)?.client
  if (!client) throw new SessionError('ABORTED', 'The session was signed out while it was being added')
  return { id, client, session }
}

/**
 * `kit.signIn(params?, { method? })`: signs in in a new session and adds it.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * const { id, client } = await signInNewSession(rt, { user: 'ada', password: 'correct horse' })
 * ```
 */
export async function signInNewSession(
  rt: KitRuntime,
  params?: unknown,
  signInOptions?: { method?: string },
): Promise<KitSignIn> {
  rt.live()
  await rt.loadedPromise
  const methodId = signInOptions?.method ?? rt.options.methods[0]?.id
  if (!methodId || !rt.methodIds.has(methodId)) {
    throw new SessionError('METHOD_NOT_FOUND', `No sign-in method with id "${methodId ?? ''}"`)
  }
  const id = newId()
  // Strictly after every session the registry knows, so the list keeps the order of sign-ins.
  const now = Math.max(rt.env.now(), ...Object.values(rt.entries()).map((e) => e.createdAt + 1))
  rt.signingIn.add(id)
  const h = makeClient(rt, id, 'own')
  rt.registry.trigger.started({
    entry: { id, method: methodId, phase: 'signingIn', createdAt: now, lastUsedAt: now },
  })
  try {
    // Stored before the method runs: a redirect leaves the page, and the callback must find it.
    await persist(rt)
    const session = await h.client.signIn(params, signInOptions)
    return await complete(rt, id, session)
  } catch (error) {
    if (!holdsSomething(h.client.getStatus())) forget(rt, id)
    throw error
  } finally {
    rt.signingIn.delete(id)
  }
}

/**
 * `kit.handleRedirectCallback(url?)`: completes a redirect sign-in in the session whose pending
 * redirect carries the callback's state.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * const { session } = await completeKitRedirect(rt, location.href)
 * ```
 */
export async function completeKitRedirect(rt: KitRuntime, url?: string | URL): Promise<KitSignIn> {
  rt.live()
  const callback = url ? new URL(String(url)) : pageLocation()
  if (!callback) throw new SessionError('NOT_SUPPORTED', 'No callback URL given and no page location to read')
  await rt.loadedPromise
  const state = callback.searchParams.get('state')
  for (const entry of Object.values(rt.entries())) {
    if (entry.phase !== 'signingIn') continue
    const client = clientFor(rt, entry.id)
    if (!client) continue
    await client.ready()
    if (state === null || client.actor.getSnapshot().context.pendingRedirect?.state !== state) continue
    rt.signingIn.add(entry.id)
    try {
      const session = await client.handleRedirectCallback(callback)
      return await complete(rt, entry.id, session)
    } catch (error) {
      if (!holdsSomething(client.getStatus())) forget(rt, entry.id)
      throw error
    } finally {
      rt.signingIn.delete(entry.id)
    }
  }
  throw new SessionError('REDIRECT_STATE_MISMATCH', 'No session of this kit waits for this callback')
}
