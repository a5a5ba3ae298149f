/** `createSessionClient`: wires the session machine to its world and gives the app one object to ask. */
import { loadWork } from '../loadWork.js'
import type { AnyAuthMethod } from '../signInArgs.js'
import { createAuthStreams } from './authStateStreams.js'
import { createClientRuntime } from './clientRuntime.js'
import { deviceAccess } from './deviceAccess.js'
import { lazyFetch } from './lazyFetch.js'
import { listenToOtherTabs } from './listenToOtherTabs.js'
import { refreshOperations } from './refreshOperations.js'
import type { SessionClient, SessionClientOptions } from './SessionClient.js'
import { sessionReads } from './sessionReads.js'
import { pageLocation, ready, serializationDeps, signInOperations } from './signInOperations.js'
import { signOut } from './signOutOperation.js'

/**
 * Creates a session client. Reads are synchronous: with a synchronous storage (the default
 * localStorage) `getSession()` is right on the next line, with no loading flash.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'shop', methods })
 * client.getSession()                    // the restored session, or null
 * client.authState$.subscribe(render)    // { status, session }, current value first
 * await client.signIn({ user: 'ada', password: 'correct horse' })
 * const res = await client.fetch('/api/orders')
 * ```
 */
export function createSessionClient<const Methods extends readonly AnyAuthMethod[]>(
  options: SessionClientOptions<Methods>,
): SessionClient<Methods> {
  // The runtime works with any methods; only signIn's arguments carry their types.
  const rt = createClientRuntime(options as SessionClientOptions)
  const { actor, deps, errors } = rt
  const reads = sessionReads(rt)
  const refreshing = refreshOperations(rt)
  const signingIn = signInOperations(rt)
  const access = deviceAccess(rt, { getAccessToken: refreshing.getAccessToken, signOut: () => signOut(rt) })
  const streams = createAuthStreams(actor, errors.subscribe, errors.startup)
  const authenticatedFetch = lazyFetch(rt, refreshing)

  // Every input reaches the session as an event: other tabs, and the page waking up.
  const stopListening = listenToOtherTabs(rt)
  const stopWaking = deps.env.onWake(() => {
    if (!rt.lifetime.aborted) actor.send({ type: 'WAKE', now: deps.env.now() })
  })
  actor.start()

  // Complete a redirect sign-in when the page loads on a method's callback URL.
  const here = pageLocation()
  if (
    here &&
    options.detectRedirectCallback !== false &&
    options.methods.some((m) => m.isRedirectCallback?.(here))
  ) {
    // The outcome reaches the app through the state and errors$.
    signingIn.handleRedirectCallback(here).catch(() => undefined)
  }
  errors.constructed()

  return {
    actor,
    getSession: reads.getSession,
    getStatus: reads.getStatus,
    getAuthState: streams.getAuthState,
    get isExpired() {
      return reads.isExpired()
    },
    get expiresInSecs() {
      return reads.expiresInSecs()
    },
    get authorizations() {
      return reads.authorizations()
    },
    hasSessionFor: reads.hasSessionFor,
    getRefreshToken: () => reads.credential('refreshToken'),
    getProviderIdToken: () => reads.credential('idToken'),
    getSessionId: () => reads.credential('sessionId'),
    session$: streams.session$,
    authState$: streams.authState$,
    sessionExpired$: streams.sessionExpired$,
    errors$: streams.errors$,
    onAuthStateChange: (listener) =>
      streams.listen(streams.authState$, (state) => listener(state.session, state), errors.report),
    onSessionExpired: (listener) => streams.listen(streams.sessionExpired$, listener, errors.report),
    signIn: signingIn.signIn,
    setTokens: signingIn.setTokens,
    handleRedirectCallback: signingIn.handleRedirectCallback,
    restore: signingIn.restore,
    refresh: refreshing.refresh,
    getAccessToken: refreshing.getAccessToken,
    fetch: authenticatedFetch,
    signOut: (signOutOptions) => signOut(rt, signOutOptions),
    // Loaded on first use, with the signer: most pages never ask for one.
    getIdToken: (idTokenOptions) => loadWork().then((m) => m.getIdToken(rt, idTokenOptions)),
    serialize: async (serializeOptions) => {
      const record = actor.getSnapshot().context.record
      if (!record) return null
      // Loaded on first use: most pages never serialize.
      const { serializeRecord } = await loadWork()
      return serializeRecord(record, serializationDeps(rt), serializeOptions)
    },
    ...access,
    ready: () => ready(rt),
    destroy() {
      if (rt.lifetime.aborted) return
      rt.close()
      stopListening()
      stopWaking()
      actor.stop()
      streams.close()
    },
  }
}
