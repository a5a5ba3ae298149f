/**
 * `createSessionKit`: several sessions at once (WharfKit's SessionKit). Each session is a full
 * session client in a namespace of its own; the kit keeps a registry of them (an `@xstate/store`
 * store), in storage and in step across tabs, and makes the clients follow it: an entry that
 * appears gets a client, an entry that goes is signed out, and a client that signs out takes its
 * entry with it. This file wires the parts, each in a file of its own (see kitRuntime.ts).
 */
import { distinctUntilChanged, type Observable } from 'rxjs'
import type { SessionClient } from '../client/SessionClient.js'
import { pageLocation } from '../client/signInOperations.js'
import { toSessionError } from '../SessionError.js'
import type { AnyAuthMethod } from '../signInArgs.js'
import { reconcile } from './followRegistry.js'
import { clearNamespace, clientFor, makeClient } from './kitClients.js'
import { createKitRuntime, type KitRuntime } from './kitRuntime.js'
import { makeActive, restoreAllSessions, restoreSession, signOutSessions } from './kitSessions.js'
import { completeKitRedirect, signInNewSession } from './kitSignIn.js'
import { andThen } from './registryStorage.js'
import { listenToOtherKits, persist } from './registrySync.js'
import type { SessionKit, SessionKitOptions, SessionSummary } from './SessionKit.js'
import { pruneTombstones, type RegistryState } from './sessionRegistry.js'

/** The registry was read from storage: every entry gets a client, and a redirect callback is completed. */
function onLoaded(rt: KitRuntime, fromStorage: RegistryState): void {
  if (rt.lifetime.signal.aborted) return
  const { state, dropped } = pruneTombstones(fromStorage, rt.env.now())
  rt.registry.trigger.merged({ state })
  rt.loaded = true
  for (const id of dropped) clearNamespace(rt, id)
  for (const entry of Object.values(rt.entries()))
    if (!rt.held.has(entry.id)) makeClient(rt, entry.id, 'load')
  reconcile(rt)
  if (dropped.length > 0) void persist(rt)
  rt.markLoaded()
  const here = pageLocation()
  if (
    here &&
    rt.options.detectRedirectCallback !== false &&
    rt.options.methods.some((m) => m.isRedirectCallback?.(here))
  ) {
    completeKitRedirect(rt, here).catch((error: unknown) =>
      rt.report(toSessionError(error, 'SIGN_IN_FAILED', 'Completing the redirect sign-in failed')),
    )
  }
}

/**
 * Creates a session kit. With a synchronous storage (the default localStorage) the sessions are
 * known on the next line.
 *
 * @example
 * ```ts
 * import { createSessionKit } from 'tessera-session/kit'
 *
 * const shop = createSessionKit({ appId: 'shop', methods })
 * await shop.signIn({ user: 'ada', password: 'correct horse' })
 * await shop.signIn({ user: 'bob', password: 'battery staple' }) // ada stays signed in
 * for (const s of shop.getSessions()) console.log(s.subject, s.status, s.active)
 * const ada = await shop.restore({ subject: 'ada' }) // her client, now the active one
 * await ada?.fetch('/api/orders')
 * await shop.signOut() // every session
 * ```
 */
export function createSessionKit<const Methods extends readonly AnyAuthMethod[]>(
  options: SessionKitOptions<Methods>,
): SessionKit<Methods> {
  // The runtime works with any methods; only signIn's arguments carry their types.
  const rt = createKitRuntime(options as SessionKitOptions)
  const { sessions, active, errors, held, channels, lifetime } = rt
  const stopListening = listenToOtherKits(rt)
  const stopReconciling = rt.registry.subscribe(() => reconcile(rt))

  void andThen(rt.stored.read(), (fromStorage) => onLoaded(rt, fromStorage))

  return {
    signIn: ((params?: unknown, signInOptions?: { method?: string }) =>
      signInNewSession(rt, params, signInOptions)) as SessionKit<Methods>['signIn'],
    handleRedirectCallback: (url) => completeKitRedirect(rt, url),
    getSessions: () => sessions.getValue(),
    sessions$: sessions.pipe(distinctUntilChanged()) as Observable<SessionSummary[]>,
    active$: active.pipe(distinctUntilChanged()) as Observable<SessionClient | null>,
    getActive: () => active.getValue(),
    client: (id) => (rt.entries()[id]?.phase === 'signedIn' ? clientFor(rt, id) : null),
    use: (id) => makeActive(rt, id),
    restore: (query) => restoreSession(rt, query),
    restoreAll: () => restoreAllSessions(rt),
    signOut: (id) => signOutSessions(rt, id),
    errors$: errors.asObservable(),
    ready: () => rt.loadedPromise,
    destroy() {
      if (lifetime.signal.aborted) return
      lifetime.abort()
      stopReconciling.unsubscribe()
      stopListening?.()
      for (const h of held.values()) {
        h.off()
        h.client.destroy()
      }
      held.clear()
      channels.close()
      sessions.complete()
      active.complete()
      errors.complete()
    },
  }
}
