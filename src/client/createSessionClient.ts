/** `createSessionClient`: wires the session machine to storage, keys, tabs and the app. */
import { createActor } from 'xstate'
import { isTokenExpired, refreshDueAt } from '../../machines/refreshSchedule.js'
import type { SessionContext } from '../../machines/session.machine.js'
import type { SessionRecord } from '../../machines/sessionRecord.js'
import type { AuthMethod, IdTokenOptions } from '../authMethod.js'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { type AuthorizableRequest, createAuthenticatedFetch } from '../http/authenticatedFetch.js'
import { defaultKeyStore } from '../keys/defaultKeyStore.js'
import type { KeyStore } from '../keys/SessionKey.js'
import { SessionError, toSessionError } from '../SessionError.js'
import type { Credentials, Session, SessionStatus } from '../session.js'
import { memoryStorage } from '../storage/memoryStorage.js'
import type { StorageOption } from '../storage/StorageAdapter.js'
import { SessionStore } from '../storage/sessionStore.js'
import { webStorage } from '../storage/webStorage.js'
import { broadcastChannelSync } from '../sync/broadcastChannelSync.js'
import { crossTabRefreshCoordinator } from '../sync/crossTabRefreshCoordinator.js'
import {
  inProcessRefreshCoordinator,
  type RefreshCoordinator,
  type SessionSync,
} from '../sync/SessionSync.js'
import { withTimeout } from '../util/withTimeout.js'
import { createAuthStreams } from './authStateStreams.js'
import { deleteReplacedKeys } from './deleteReplacedKeys.js'
import { hasSessionFor } from './hasSessionFor.js'
import { listenToOtherTabs } from './listenToOtherTabs.js'
import { parseSessionRecord } from './parseStoredState.js'
import type { SessionClient, SessionClientOptions, SignOutOptions } from './SessionClient.js'
import {
  createSessionLogic,
  establishRecord,
  existingKey,
  findMethod,
  methodContext,
  type SessionLogicDeps,
} from './sessionLogic.js'

type MachineSnapshot = ReturnType<SessionClient['actor']['getSnapshot']>

function defaultStorage(): StorageOption {
  try {
    if (typeof localStorage !== 'undefined') return webStorage(localStorage)
  } catch {
    // Accessing localStorage throws in some sandboxed iframes: memory it is.
  }
  return memoryStorage()
}

function defaultSync(options: SessionClientOptions, prefix: string): SessionSync | null {
  if (options.sync === false) return null
  if (options.sync && options.sync !== true) return options.sync
  return typeof BroadcastChannel === 'function' ? broadcastChannelSync(prefix, options.appId) : null
}

/** Cross-tab where a browser offers Web Locks or IndexedDB; otherwise the machine's own single flight suffices. */
function defaultCoordinator(prefix: string, appId: string, env: Environment): RefreshCoordinator {
  const browserish = (typeof navigator !== 'undefined' && navigator.locks) || typeof indexedDB !== 'undefined'
  return browserish
    ? crossTabRefreshCoordinator({ prefix, appId, environment: env })
    : inProcessRefreshCoordinator()
}

/** The top-level state name of a snapshot. */
export function statusOf(snapshot: MachineSnapshot): SessionStatus {
  const value = snapshot.value
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as SessionStatus
}

function browserLocation(): URL | null {
  return typeof location !== 'undefined' && typeof location.href === 'string' ? new URL(location.href) : null
}

/**
 * Creates a session client. Reads are synchronous: with a synchronous storage (the default
 * localStorage) `getSession()` is right on the next line, with no loading flash.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'shop', methods: [password] })
 * client.getSession()                    // the restored session, or null
 * client.authState$.subscribe(render)    // { status, session }, current value first
 * await client.signIn({ user: 'ada', password })
 * const res = await client.fetch('/api/orders')
 * ```
 */
export function createSessionClient(options: SessionClientOptions): SessionClient {
  if (!options || typeof options.appId !== 'string' || options.appId.length === 0) {
    throw new SessionError('INVALID_SESSION', 'createSessionClient needs a non-empty appId')
  }
  const methods = new Map<string, AuthMethod<unknown>>()
  for (const method of options.methods ?? []) {
    if (methods.has(method.id))
      throw new SessionError('INVALID_SESSION', `Two methods share the id "${method.id}"`)
    methods.set(method.id, method)
  }
  const env: Environment = { ...defaultEnvironment(), ...options.environment }
  const prefix = options.storageKeyPrefix ?? 'tessera'
  const errors = new Set<(error: SessionError) => void>()
  // Nobody can have subscribed while the constructor runs: keep those errors for errors$ to replay.
  const startupErrors: SessionError[] = []
  let constructing = true
  const reportError = (error: SessionError) => {
    if (constructing) startupErrors.push(error)
    for (const listener of errors) listener(error)
  }
  const store = new SessionStore({
    storage: options.storage ?? defaultStorage(),
    prefix,
    appId: options.appId,
    timeoutMs: options.storageTimeoutMs ?? 3000,
    environment: env,
    onError: (error) => reportError(error),
  })
  const keyStore: KeyStore | null =
    options.keyStore === false
      ? null
      : (options.keyStore ??
        defaultKeyStore((error) =>
          reportError(toSessionError(error, 'KEY_UNAVAILABLE', 'Session keys fell back to memory')),
        ))
  const sync = defaultSync(options, prefix)
  const coordinator = options.refreshCoordinator ?? defaultCoordinator(prefix, options.appId, env)
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const deps: SessionLogicDeps = {
    appId: options.appId,
    storageKeyPrefix: prefix,
    env,
    store,
    methods,
    keyStore,
    coordinator,
    sync,
    tabId: globalThis.crypto.randomUUID(),
    fetch: fetchImpl,
    redirectTimeoutMs: (options.redirectTimeoutSeconds ?? 600) * 1000,
    navigate: options.navigate ?? ((url) => globalThis.location?.assign(url)),
    reportError,
  }

  // Read synchronously when the storage allows it, so the very first snapshot is the real one.
  const first = store.begin()
  const actor = createActor(createSessionLogic(deps), {
    input: {
      refreshSkewSeconds: options.refreshSkewSeconds ?? 60,
      now: env.now(),
      ...('state' in first ? { restored: first.state } : {}),
    },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  })

  let destroyed = false
  const cleanups: Array<() => void> = []

  const snapshot = () => actor.getSnapshot()
  const context = (): SessionContext => snapshot().context
  const streams = createAuthStreams(
    actor,
    statusOf,
    (listener) => {
      errors.add(listener)
      return () => errors.delete(listener)
    },
    startupErrors,
  )

  /** Waits for the first snapshot (current included) for which `decide` returns a result. */
  function waitFor<T>(
    decide: (snapshot: MachineSnapshot) => { value: T } | { error: unknown } | undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false
      let subscription: { unsubscribe(): void } | undefined
      const check = (s: MachineSnapshot) => {
        if (done) return
        const outcome = destroyed
          ? { error: new SessionError('DESTROYED', 'The client was destroyed') }
          : decide(s)
        if (!outcome) return
        done = true
        subscription?.unsubscribe()
        if ('value' in outcome) resolve(outcome.value)
        else reject(outcome.error)
      }
      check(snapshot())
      if (done) return
      subscription = actor.subscribe({ next: check, complete: () => check(snapshot()) })
      check(snapshot())
    })
  }

  const isReadable = (record: SessionRecord | null): record is SessionRecord =>
    record !== null && !isTokenExpired(record, env.now())

  /** Timers lie in sleeping tabs: every read re-checks the clock and lets the machine react. */
  function checkExpiry(): void {
    const status = statusOf(snapshot())
    if (status !== 'active' || destroyed) return
    const record = context().record
    if (!record) return
    const now = env.now()
    if (now >= refreshDueAt(record.session, context().refreshSkewSeconds) || isTokenExpired(record, now)) {
      actor.send({ type: 'CHECK', now })
    }
  }

  function readableSession(): Session | null {
    checkExpiry()
    const status = statusOf(snapshot())
    const record = context().record
    return (status === 'active' || status === 'refreshing') && isReadable(record) ? record.session : null
  }

  function refresh(): Promise<string> {
    if (destroyed) return Promise.reject(new SessionError('DESTROYED', 'The client was destroyed'))
    const start = snapshot()
    const startSeq = start.context.refreshSeq
    const status = statusOf(start)
    if (status === 'restoring') return ready().then(refresh)
    if (status !== 'refreshing') {
      const record = start.context.record
      if (!record || (status !== 'active' && status !== 'expired')) {
        return Promise.reject(new SessionError('NO_SESSION', 'There is no session to refresh'))
      }
      if (!record.refreshable) {
        return Promise.reject(
          new SessionError('NOT_SUPPORTED', `Method "${record.session.method}" cannot refresh`),
        )
      }
      actor.send({ type: 'REFRESH', now: env.now() })
    }
    return waitFor<string>((s) => {
      const st = statusOf(s)
      if (st === 'active' && s.context.record) return { value: s.context.record.session.accessToken }
      if (st === 'expired') {
        return {
          error: new SessionError('SESSION_EXPIRED', 'The session expired; sign in again', {
            cause: s.context.lastRefreshError,
          }),
        }
      }
      if (st === 'refreshing') {
        // A failed attempt of this flight: report it; the machine keeps retrying in the background.
        if (s.context.refreshSeq > startSeq && s.context.lastRefreshError)
          return { error: s.context.lastRefreshError }
        return undefined
      }
      return { error: new SessionError('NO_SESSION', 'The session ended during the refresh') }
    })
  }

  function ready(): Promise<void> {
    return waitFor((s) => (statusOf(s) === 'restoring' ? undefined : { value: undefined }))
  }

  /** The current token when it is usable as is (active, outside the refresh window): the hot path, no await. */
  function usableToken(): SessionRecord | null {
    checkExpiry()
    const s = snapshot()
    const record = s.context.record
    return statusOf(s) === 'active' && isReadable(record) ? record : null
  }

  async function getAccessToken(): Promise<string | null> {
    const ready$ = usableToken()
    if (ready$) return ready$.session.accessToken
    if (statusOf(snapshot()) === 'restoring') await ready()
    checkExpiry()
    const s = snapshot()
    const status = statusOf(s)
    const record = s.context.record
    if (status === 'active' && isReadable(record)) return record.session.accessToken
    if (status === 'active' || status === 'refreshing' || (status === 'expired' && record?.refreshable)) {
      try {
        return await refresh()
      } catch (error) {
        // A transient failure while the old token is still valid: use it rather than fail the call.
        const current = context().record
        if (isReadable(current) && statusOf(snapshot()) !== 'expired') return current.session.accessToken
        if (
          error instanceof SessionError &&
          (error.code === 'SESSION_EXPIRED' || error.code === 'NO_SESSION')
        ) {
          return null
        }
        throw error
      }
    }
    return null
  }

  function methodIdFor(requested: string | undefined): string {
    const id = requested ?? options.methods[0]?.id
    if (!id) throw new SessionError('METHOD_NOT_FOUND', 'No sign-in method is configured')
    findMethod(deps, id)
    return id
  }

  function waitForSignIn(seq: number): Promise<Session> {
    return waitFor<Session>((s) => {
      if (s.context.signInSeq !== seq)
        return { error: new SessionError('ABORTED', 'A newer sign-in replaced this one') }
      const st = statusOf(s)
      // A failed attempt can land back in 'active' when a session already existed: the error decides.
      if (s.context.lastError && st !== 'authenticating') return { error: s.context.lastError }
      if (st === 'active' && s.context.record) return { value: s.context.record.session }
      if (st === 'signedOut' || st === 'expired') {
        return { error: s.context.lastError ?? new SessionError('ABORTED', 'The sign-in was cancelled') }
      }
      return undefined
    })
  }

  async function signIn<P>(params?: P, opts?: { method?: string }): Promise<Session> {
    if (destroyed) throw new SessionError('DESTROYED', 'The client was destroyed')
    const methodId = methodIdFor(opts?.method)
    await ready()
    const seq = context().signInSeq + 1
    actor.send({ type: 'SIGN_IN', methodId, params })
    return waitForSignIn(seq)
  }

  async function adopt(record: SessionRecord): Promise<Session> {
    await ready()
    if (destroyed) throw new SessionError('DESTROYED', 'The client was destroyed')
    actor.send({ type: 'SESSION_ESTABLISHED', record, now: env.now() })
    return record.session
  }

  async function setTokens(credentials: Credentials, opts?: { method?: string }): Promise<Session> {
    const methodId = opts?.method ?? options.methods[0]?.id ?? 'tokens'
    if (opts?.method) findMethod(deps, opts.method)
    const key = keyStore ? await keyStore.create().catch(() => null) : null
    try {
      return await adopt(await establishRecord(deps, credentials, methodId, key))
    } catch (error) {
      if (key) await keyStore?.delete(key.id).catch(() => undefined)
      throw error
    }
  }

  async function handleRedirectCallback(url?: string | URL, opts?: { method?: string }): Promise<Session> {
    const callback = url ? new URL(String(url)) : browserLocation()
    if (!callback)
      throw new SessionError('NOT_SUPPORTED', 'No callback URL given and no page location to read')
    await ready()
    const methodId = opts?.method ?? context().pendingRedirect?.methodId ?? methodIdFor(undefined)
    findMethod(deps, methodId)
    const seq = context().signInSeq + 1
    actor.send({ type: 'REDIRECT_CALLBACK', methodId, url: callback.href })
    return waitForSignIn(seq)
  }

  async function signOut(signOutOptions?: SignOutOptions): Promise<void> {
    if (destroyed) return
    const record = context().record
    const method = record ? methods.get(record.session.method) : undefined
    let logoutUrl: string | null = null
    if (record && method?.endSessionUrl && signOutOptions?.redirect) {
      const controller = new AbortController()
      logoutUrl = await withTimeout(
        method.endSessionUrl(record.credentials, methodContext(deps, controller.signal, keyFor(record))),
        options.signOutTimeoutMs ?? 5000,
        'Building the logout URL timed out',
        env,
      ).catch((error: unknown) => {
        reportError(toSessionError(error, 'NETWORK', 'Could not build the logout URL'))
        return null
      })
    }
    // Local state first, at once: sign-out must work with the server unreachable.
    actor.send({ type: 'SIGN_OUT' })
    if (record) {
      void revokeInBackground(record, method)
    }
    await withTimeout(
      store.flush(),
      options.storageTimeoutMs ?? 3000,
      'Clearing storage timed out',
      env,
    ).catch((error: unknown) => reportError(toSessionError(error, 'STORAGE', 'Clearing storage failed')))
    if (logoutUrl) deps.navigate(logoutUrl)
  }

  const keyFor = (record: SessionRecord) => existingKey(deps, record.keyId)

  async function revokeInBackground(record: SessionRecord, method: AuthMethod<unknown> | undefined) {
    const timeoutMs = options.signOutTimeoutMs ?? 5000
    const controller = new AbortController()
    try {
      if (method?.signOut) {
        await withTimeout(
          method.signOut(record.credentials, methodContext(deps, controller.signal, keyFor(record))),
          timeoutMs,
          'The sign-out request timed out',
          env,
        )
      }
    } catch (error) {
      controller.abort()
      reportError(toSessionError(error, 'NETWORK', 'The server could not be told about the sign-out'))
    } finally {
      // The key goes last: revocation may need it for a DPoP proof.
      if (record.keyId && keyStore) {
        await withTimeout(
          keyStore.delete(record.keyId),
          timeoutMs,
          'Deleting the session key timed out',
          env,
        ).catch((error: unknown) =>
          reportError(toSessionError(error, 'KEY_UNAVAILABLE', 'Could not delete the session key')),
        )
      }
    }
  }

  async function getIdToken(idTokenOptions: IdTokenOptions = {}): Promise<string> {
    await ready()
    const record = context().record
    if (!isReadable(record)) throw new SessionError('NO_SESSION', 'There is no active session')
    const method = methods.get(record.session.method)
    const controller = new AbortController()
    if (method?.getIdToken) {
      return method.getIdToken(
        record.credentials,
        idTokenOptions,
        methodContext(deps, controller.signal, keyFor(record)),
      )
    }
    const key = await keyFor(record)()
    const now = Math.floor(env.now() / 1000)
    const ttl = idTokenOptions.ttlSeconds ?? 300
    if (!(ttl > 0)) throw new SessionError('INVALID_TOKEN', 'ttlSeconds must be a positive number')
    // jose's signer loads on first use: pages that never ask for an ID token never download it.
    const { signSessionIdToken } = await import('../keys/sessionIdToken.js')
    return signSessionIdToken(key, {
      subject: record.session.subject,
      nowSeconds: now,
      ttlSeconds: ttl,
      ...(idTokenOptions.customClaims ? { customClaims: idTokenOptions.customClaims } : {}),
    })
  }

  const authenticatedFetch = createAuthenticatedFetch({
    fetch: fetchImpl,
    apiOrigins: options.apiOrigins ?? [],
    environment: env,
    pageOrigin: () => browserLocation()?.origin ?? null,
    getAccessToken,
    usableRecord: usableToken,
    currentRecord: () => context().record,
    refresh,
    authorize: (request: AuthorizableRequest, record: SessionRecord) => {
      const method = methods.get(record.session.method)
      if (!method?.authorizeRequest && record.session.tokenType.toLowerCase() !== 'dpop') {
        // The common case stays synchronous: no await on the hot path.
        request.headers.set('Authorization', `${record.session.tokenType} ${record.session.accessToken}`)
        return undefined
      }
      return authorizeAsync(request, record, method)
    },
  })

  async function authorizeAsync(
    request: AuthorizableRequest,
    record: SessionRecord,
    method: AuthMethod<unknown> | undefined,
  ): Promise<void> {
    if (method?.authorizeRequest) {
      const controller = new AbortController()
      await method.authorizeRequest(
        request,
        record.credentials,
        methodContext(deps, controller.signal, keyFor(record)),
      )
      return
    }
    // A DPoP-bound token: a fresh proof per request, signed by the session key.
    const key = await keyFor(record)()
    const { createDPoPProof } = await import('../http/dpopProof.js')
    request.headers.set('Authorization', `DPoP ${record.session.accessToken}`)
    request.headers.set(
      'DPoP',
      await createDPoPProof(key, {
        method: request.method,
        url: request.url,
        accessToken: record.session.accessToken,
        now: env.now(),
        ...(request.nonce ? { nonce: request.nonce } : {}),
      }),
    )
  }

  // Other tabs: validate, then turn into events. Nothing else changes state.
  if (sync) {
    const stop = listenToOtherTabs(sync, actor, {
      tabId: deps.tabId,
      now: () => env.now(),
      reportError,
      isDestroyed: () => destroyed,
    })
    cleanups.push(stop, () => sync.close())
  }
  if (keyStore) {
    cleanups.push(deleteReplacedKeys(actor, keyStore, (s) => statusOf(s) === 'signedOut', reportError))
  }
  // A session that expired on a network failure tries again when the network returns.
  cleanups.push(
    env.onWake(() => {
      if (destroyed) return
      checkExpiry()
      const s = snapshot()
      if (statusOf(s) === 'expired' && s.context.record?.refreshable)
        actor.send({ type: 'REFRESH', now: env.now() })
    }),
  )

  actor.start()

  // Complete a redirect sign-in when the page loads on a method's callback URL.
  const here = browserLocation()
  if (here && options.detectRedirectCallback !== false) {
    const callbackMethod = [...methods.values()].find((m) => m.isRedirectCallback?.(here))
    if (callbackMethod) {
      void handleRedirectCallback(here, { method: callbackMethod.id }).catch(() => {
        // Reported on errors$ by the machine; the app reads the outcome from the state.
      })
    }
  }

  constructing = false
  const serializationDeps = { keyStore, parse: parseSessionRecord, SessionError }
  const client: SessionClient = {
    actor,
    getSession: readableSession,
    getStatus: () => statusOf(snapshot()),
    getAuthState: () => streams.getAuthState(),
    get isExpired() {
      const s = snapshot()
      if (statusOf(s) === 'expired') return true
      return s.context.record !== null && isTokenExpired(s.context.record, env.now())
    },
    get expiresInSecs() {
      const record = context().record
      return record ? Math.max(0, Math.floor(record.session.expiresAt - env.now() / 1000)) : 0
    },
    get authorizations() {
      return context().record?.session.authorizations ?? []
    },
    hasSessionFor(account, query) {
      checkExpiry()
      const status = statusOf(snapshot())
      const live = status === 'active' || status === 'refreshing'
      return hasSessionFor({ record: context().record, live, now: env.now() }, account, query)
    },
    session$: streams.session$,
    authState$: streams.authState$,
    sessionExpired$: streams.sessionExpired$,
    errors$: streams.errors$,
    onAuthStateChange: (listener) =>
      streams.listen(streams.authState$, (state) => listener(state.session, state), reportError),
    onSessionExpired: (listener) => streams.listen(streams.sessionExpired$, listener, reportError),
    signIn,
    setTokens,
    handleRedirectCallback,
    refresh,
    getAccessToken,
    fetch: authenticatedFetch,
    signOut,
    getIdToken,
    serialize: async (serializeOptions) => {
      const record = context().record
      if (!record) return null
      // Loaded on first use: most pages never serialize.
      const { serializeRecord } = await import('./serialization.js')
      return serializeRecord(record, serializationDeps, serializeOptions)
    },
    restore: async (serialized) => {
      const { deserializeRecord } = await import('./serialization.js')
      return adopt(await deserializeRecord(serialized, serializationDeps))
    },
    ready,
    destroy() {
      if (destroyed) return
      destroyed = true
      for (const cleanup of cleanups.splice(0)) cleanup()
      coordinator.close?.()
      actor.stop()
      streams.close()
      errors.clear()
    },
  }
  return client
}
