/**
 * `createSessionKit`: several sessions at once (WharfKit's SessionKit). Each session is a full
 * session client in a namespace of its own; the kit keeps a registry of them (an `@xstate/store`
 * store), in storage and in step across tabs, and makes the clients follow it: an entry that
 * appears gets a client, an entry that goes is signed out, and a client that signs out takes its
 * entry with it.
 */
import { BehaviorSubject, distinctUntilChanged, type Observable, Subject } from 'rxjs'
import { EMPTY_STORED_STATE } from '../../machines/sessionRecord.js'
import { defaultStorage } from '../client/clientRuntime.js'
import { createSessionClient } from '../client/createSessionClient.js'
import type { SessionClient } from '../client/SessionClient.js'
import { pageLocation } from '../client/signInOperations.js'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { defaultKeyStore } from '../keys/defaultKeyStore.js'
import type { KeyStore } from '../keys/SessionKey.js'
import { SessionError, toSessionError } from '../SessionError.js'
import type { Session, SessionStatus } from '../session.js'
import { SessionStore } from '../storage/sessionStore.js'
import { kitChannels } from './kitChannels.js'
import { andThen, registryKey, registryStorage } from './registryStorage.js'
import type { KitSignIn, RestoreQuery, SessionKit, SessionKitOptions, SessionSummary } from './SessionKit.js'
import {
  createRegistryStore,
  encodeRegistry,
  mergeRegistries,
  parseRegistry,
  pruneTombstones,
  type RegistryEntry,
  type RegistryState,
  sharedState,
} from './sessionRegistry.js'

/** How long a tab waits for another tab's new session to show in storage before reading it anyway. */
const ADOPT_WAIT_MS = 5000
const ADOPT_POLL_MS = 100

/** A session's client, as the kit holds it. */
interface Held {
  client: SessionClient
  /** Its last status, as its stream said. */
  status: SessionStatus | undefined
  /** Why it was made: read at load, a sign-in of this tab, or another tab's session. */
  made: 'load' | 'own' | 'remote'
  /** The entry's phase when the client was made. */
  phase: RegistryEntry['phase']
  off(): void
}

/** Statuses in which a client holds something its namespace keeps (a session or a pending redirect). */
const holdsSomething = (status: SessionStatus) => status !== 'signedOut' && status !== 'restoring'
const holdsSession = (status: SessionStatus) =>
  status === 'active' || status === 'refreshing' || status === 'expired'

function newId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(8))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

const seconds = (ms: number) => Math.floor(ms / 1000)

function sameSummary(a: SessionSummary, b: SessionSummary): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof SessionSummary>
  for (const key of keys) if (a[key] !== b[key]) return false
  return true
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
export function createSessionKit(options: SessionKitOptions): SessionKit {
  if (!options || typeof options.appId !== 'string' || options.appId.length === 0) {
    throw new SessionError('INVALID_PARAMS', 'createSessionKit needs a non-empty appId')
  }
  const { appId, detectRedirectCallback, ...clientOptions } = options
  const env: Environment = { ...defaultEnvironment(), ...options.environment }
  const prefix = options.storageKeyPrefix ?? 'tessera'
  const storage = options.storage ?? defaultStorage()
  const errors = new Subject<SessionError>()
  const report = (error: SessionError) => errors.next(error)
  const keyStore: KeyStore | false =
    options.keyStore === false
      ? false
      : (options.keyStore ??
        defaultKeyStore((error) =>
          report(toSessionError(error, 'KEY_UNAVAILABLE', 'Session keys fell back to memory')),
        ))
  const channels = kitChannels(options.sync, prefix, appId)
  const kitId = globalThis.crypto.randomUUID()
  const lifetime = new AbortController()
  const timeoutMs = options.storageTimeoutMs ?? 3000
  const redirectTimeoutMs = (options.redirectTimeoutSeconds ?? 600) * 1000
  const methodIds = new Set(options.methods.map((m) => m.id))
  const namespaceOf = (id: string) => `${appId}/${id}`
  const stored = registryStorage({
    adapter: 'default' in storage ? storage.default : storage,
    key: registryKey(prefix, appId),
    timeoutMs,
    environment: env,
    onError: report,
  })
  const namespaceStore = (id: string) =>
    new SessionStore({
      storage,
      prefix,
      appId: namespaceOf(id),
      timeoutMs,
      environment: env,
      onError: report,
    })

  const registry = createRegistryStore()
  const held = new Map<string, Held>()
  /** Other tabs' new sessions whose data this tab is waiting to see in storage. */
  const adopting = new Set<string>()
  /** Sign-ins (and redirect completions) running in this tab. */
  const signingIn = new Set<string>()
  let loaded = false
  let markLoaded: () => void = () => undefined
  const loadedPromise = new Promise<void>((resolve) => {
    markLoaded = resolve
  })

  const entries = () => registry.getSnapshot().context.entries
  const live = () => {
    if (lifetime.signal.aborted) throw new SessionError('DESTROYED', 'The session kit was destroyed')
  }

  // ---- the registry in storage and in the other tabs ----

  let writes: Promise<void> | null = null
  /** Joins storage's registry with this tab's, writes the join, and tells the other tabs. */
  function persist(): Promise<void> {
    const run = () =>
      andThen(stored.read(), (fromStorage) => {
        if (lifetime.signal.aborted) return
        // Storage may hold what another tab wrote and this one has not heard yet.
        registry.trigger.merged({ state: fromStorage })
        const joined = pruneTombstones(
          mergeRegistries(fromStorage, sharedState(registry.getSnapshot().context)),
          env.now(),
        ).state
        channels.registry?.publish({
          type: 'registry',
          state: JSON.parse(encodeRegistry(joined)),
          from: kitId,
        })
        if (encodeRegistry(joined) !== encodeRegistry(fromStorage)) return stored.write(joined)
      })
    if (writes) {
      writes = writes.then(run).then(() => undefined)
      return writes
    }
    const result = run()
    if (!result || !('then' in result)) return Promise.resolve()
    const tail: Promise<void> = Promise.resolve(result).then(() => {
      if (writes === tail) writes = null
    })
    writes = tail
    return tail
  }

  const stopListening = channels.registry?.subscribe((data) => {
    if (lifetime.signal.aborted) return
    const message = data as { type?: unknown; state?: unknown; from?: unknown }
    if (message?.type !== 'registry' || message.from === kitId) return
    let state: RegistryState
    try {
      state = parseRegistry(message.state)
    } catch (error) {
      report(toSessionError(error, 'INVALID_SESSION', 'Ignored a malformed registry from another tab'))
      return
    }
    registry.trigger.merged({ state })
    // This tab knows something the sender did not: its write may have missed it, so write the join.
    if (encodeRegistry(sharedState(registry.getSnapshot().context)) !== encodeRegistry(state)) void persist()
  })

  /** Takes a session out of the registry (its client is signed out or gone), everywhere. */
  function forget(id: string): void {
    if (lifetime.signal.aborted) return
    registry.trigger.removed({ id, now: env.now() })
    void persist()
  }

  // ---- the clients ----

  function onStatus(id: string, h: Held, status: SessionStatus): void {
    const previous = h.status
    h.status = status
    if (status === 'signedOut' && !lifetime.signal.aborted && held.get(id) === h) {
      const entry = entries()[id]
      const fromNothing = previous === undefined || previous === 'restoring'
      if (entry && !fromNothing) {
        // Signed out here, in another tab, by revoking its own credential, or a sign-in that failed.
        forget(id)
      } else if (entry && h.made === 'load' && entry.phase === 'signedIn') {
        // Its namespace holds no session any more: the entry is all that was left.
        forget(id)
      } else if (
        entry?.phase === 'signingIn' &&
        !signingIn.has(id) &&
        env.now() - entry.createdAt > redirectTimeoutMs
      ) {
        // A sign-in that never came back (its tab closed, its redirect abandoned).
        forget(id)
      }
    }
    refresh()
  }

  function makeClient(id: string, made: Held['made']): Held {
    const client = createSessionClient({
      ...clientOptions,
      appId: namespaceOf(id),
      storageKeyPrefix: prefix,
      storage,
      keyStore,
      sync: channels.forSession(id),
      environment: env,
      // The kit completes redirects itself, in the one session that started it.
      detectRedirectCallback: false,
    })
    const h: Held = {
      client,
      status: undefined,
      made,
      phase: entries()[id]?.phase ?? 'signingIn',
      off: () => undefined,
    }
    held.set(id, h)
    const subscriptions = [
      client.errors$.subscribe(report),
      client.authState$.subscribe(({ status }) => onStatus(id, h, status)),
    ]
    h.off = () => {
      for (const s of subscriptions) s.unsubscribe()
    }
    return h
  }

  /** Lets a client go: signed out first when it still holds something (its entry was removed). */
  function release(id: string, h: Held): void {
    held.delete(id)
    h.off()
    const status = h.client.getStatus()
    if (holdsSomething(status)) void h.client.signOut().finally(() => h.client.destroy())
    else h.client.destroy()
  }

  /** Another tab's new session: made once its data shows in storage (a message can come first). */
  function adopt(id: string): void {
    adopting.add(id)
    const store = namespaceStore(id)
    const deadline = env.now() + ADOPT_WAIT_MS
    const attempt = (): void => {
      void andThen(store.read(true), (state) => {
        if (lifetime.signal.aborted || entries()[id]?.phase !== 'signedIn' || held.has(id)) {
          adopting.delete(id)
          return
        }
        if (state.record || env.now() >= deadline) {
          adopting.delete(id)
          makeClient(id, 'remote')
          refresh()
          return
        }
        env.setTimeout(attempt, ADOPT_POLL_MS)
      })
    }
    attempt()
  }

  /** Forgets what a long-removed session left in its namespace (a sign-out marker), never a session. */
  function clearNamespace(id: string): void {
    if (held.has(id)) return
    namespaceStore(id).write(EMPTY_STORED_STATE, null)
  }

  let reconciling = false
  let again = false
  /** Makes the clients follow the registry. */
  function reconcile(): void {
    if (!loaded || lifetime.signal.aborted) return
    if (reconciling) {
      again = true
      return
    }
    reconciling = true
    try {
      do {
        again = false
        const current = entries()
        for (const [id, h] of [...held]) if (!current[id]) release(id, h)
        for (const entry of Object.values(current)) {
          const h = held.get(entry.id)
          if (!h) {
            // Another tab's sign-in in progress has no client here: its own tab runs it.
            if (entry.phase === 'signedIn' && !adopting.has(entry.id)) adopt(entry.id)
          } else if (entry.phase === 'signedIn' && h.phase === 'signingIn') {
            h.phase = 'signedIn'
            // Another tab completed the sign-in this tab's client was waiting for: read it afresh.
            if (!holdsSession(h.client.getStatus()) && !signingIn.has(entry.id)) {
              held.delete(entry.id)
              h.off()
              h.client.destroy()
              adopt(entry.id)
            }
          }
        }
      } while (again)
    } finally {
      reconciling = false
    }
    refresh()
  }
  const stopReconciling = registry.subscribe(() => reconcile())

  // ---- what the app reads ----

  const sessions = new BehaviorSubject<SessionSummary[]>([])
  const active = new BehaviorSubject<SessionClient | null>(null)

  function summaryOf(entry: RegistryEntry, activeId: string | null): SessionSummary {
    const client = held.get(entry.id)?.client
    const state = client?.getAuthState()
    const session: Session | null = state?.session ?? null
    return {
      id: entry.id,
      subject: entry.subject ?? session?.subject ?? '',
      method: entry.method,
      status: state?.status ?? 'restoring',
      expiresAt: session?.expiresAt ?? null,
      lastUsedAt: seconds(entry.lastUsedAt),
      createdAt: seconds(entry.signedInAt ?? entry.createdAt),
      active: entry.id === activeId,
      ...(session?.email !== undefined ? { email: session.email } : {}),
      ...(session?.name !== undefined ? { name: session.name } : {}),
      ...(session?.address !== undefined ? { address: session.address } : {}),
    }
  }

  /** Recomputes the summaries and the active client; emits only what changed. */
  function refresh(): void {
    if (lifetime.signal.aborted) return
    const { activeId } = registry.getSnapshot().context
    const next = Object.values(entries())
      .filter((e) => e.phase === 'signedIn')
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map((e) => summaryOf(e, activeId))
    const previous = sessions.getValue()
    if (
      next.length !== previous.length ||
      next.some((s, i) => !sameSummary(s, previous[i] as SessionSummary))
    ) {
      sessions.next(next)
    }
    const client = activeId ? (held.get(activeId)?.client ?? null) : null
    if (client !== active.getValue()) active.next(client)
  }

  /** The client of an entry, made now if this tab has none yet. */
  function clientFor(id: string): SessionClient | null {
    if (!entries()[id]) return null
    const h = held.get(id) ?? makeClient(id, 'load')
    refresh()
    return held.get(id) === h ? h.client : null
  }

  // ---- loading ----

  function onLoaded(fromStorage: RegistryState): void {
    if (lifetime.signal.aborted) return
    const { state, dropped } = pruneTombstones(fromStorage, env.now())
    registry.trigger.merged({ state })
    loaded = true
    for (const id of dropped) clearNamespace(id)
    for (const entry of Object.values(entries())) if (!held.has(entry.id)) makeClient(entry.id, 'load')
    reconcile()
    if (dropped.length > 0) void persist()
    markLoaded()
    const here = pageLocation()
    if (
      here &&
      detectRedirectCallback !== false &&
      options.methods.some((m) => m.isRedirectCallback?.(here))
    ) {
      handleRedirectCallback(here).catch((error: unknown) =>
        report(toSessionError(error, 'SIGN_IN_FAILED', 'Completing the redirect sign-in failed')),
      )
    }
  }

  // ---- operations ----

  /** A sign-in completed in session `id`: it joins the registry, and the same account's older session goes. */
  async function complete(id: string, session: Session): Promise<KitSignIn> {
    const now = env.now()
    registry.trigger.completed({ id, subject: session.subject, now })
    const replaced = Object.values(entries()).filter(
      (e) =>
        e.id !== id &&
        e.phase === 'signedIn' &&
        e.method === session.method &&
        e.subject === session.subject &&
        (e.signedInAt ?? e.createdAt) <= now,
    )
    registry.trigger.used({ id, now })
    const persisted = persist()
    await Promise.all(replaced.map((e) => signOutOne(e.id)))
    await persisted
    const client = held.get(id)?.client
    if (!client) throw new SessionError('ABORTED', 'The session was signed out while it was being added')
    return { id, client, session }
  }

  async function signOutOne(id: string): Promise<void> {
    const client = clientFor(id)
    if (client) await client.signOut()
    if (entries()[id]) forget(id)
    await persist()
  }

  async function signIn(params?: unknown, signInOptions?: { method?: string }): Promise<KitSignIn> {
    live()
    await loadedPromise
    const methodId = signInOptions?.method ?? options.methods[0]?.id
    if (!methodId || !methodIds.has(methodId)) {
      throw new SessionError('METHOD_NOT_FOUND', `No sign-in method with id "${methodId ?? ''}"`)
    }
    const id = newId()
    // Strictly after every session the registry knows, so the list keeps the order of sign-ins.
    const now = Math.max(env.now(), ...Object.values(entries()).map((e) => e.createdAt + 1))
    signingIn.add(id)
    const h = makeClient(id, 'own')
    registry.trigger.started({
      entry: { id, method: methodId, phase: 'signingIn', createdAt: now, lastUsedAt: now },
    })
    try {
      // Stored before the method runs: a redirect leaves the page, and the callback must find it.
      await persist()
      const session = await h.client.signIn(params, signInOptions)
      return await complete(id, session)
    } catch (error) {
      if (!holdsSomething(h.client.getStatus())) forget(id)
      throw error
    } finally {
      signingIn.delete(id)
    }
  }

  async function handleRedirectCallback(url?: string | URL): Promise<KitSignIn> {
    live()
    const callback = url ? new URL(String(url)) : pageLocation()
    if (!callback)
      throw new SessionError('NOT_SUPPORTED', 'No callback URL given and no page location to read')
    await loadedPromise
    const state = callback.searchParams.get('state')
    for (const entry of Object.values(entries())) {
      if (entry.phase !== 'signingIn') continue
      const client = clientFor(entry.id)
      if (!client) continue
      await client.ready()
      if (state === null || client.actor.getSnapshot().context.pendingRedirect?.state !== state) continue
      signingIn.add(entry.id)
      try {
        const session = await client.handleRedirectCallback(callback)
        return await complete(entry.id, session)
      } catch (error) {
        if (!holdsSomething(client.getStatus())) forget(entry.id)
        throw error
      } finally {
        signingIn.delete(entry.id)
      }
    }
    throw new SessionError('REDIRECT_STATE_MISMATCH', 'No session of this kit waits for this callback')
  }

  function use(id: string): SessionClient {
    live()
    if (entries()[id]?.phase !== 'signedIn')
      throw new SessionError('NO_SESSION', `No session with id "${id}"`)
    registry.trigger.used({ id, now: env.now() })
    void persist()
    const client = clientFor(id)
    if (!client) throw new SessionError('NO_SESSION', `The session "${id}" is gone`)
    return client
  }

  function find(query: RestoreQuery): RegistryEntry | null {
    const candidates = Object.values(entries())
      .filter((e) => e.phase === 'signedIn')
      .filter((e) => {
        if (!query) return true
        if ('id' in query) return e.id === query.id
        return e.subject === query.subject && (query.method === undefined || e.method === query.method)
      })
      .sort((a, b) => b.lastUsedAt - a.lastUsedAt || (a.id < b.id ? 1 : -1))
    return candidates[0] ?? null
  }

  void andThen(stored.read(), onLoaded)

  return {
    signIn: signIn as SessionKit['signIn'],
    handleRedirectCallback,
    getSessions: () => sessions.getValue(),
    sessions$: sessions.pipe(distinctUntilChanged()) as Observable<SessionSummary[]>,
    active$: active.pipe(distinctUntilChanged()) as Observable<SessionClient | null>,
    getActive: () => active.getValue(),
    client: (id) => (entries()[id]?.phase === 'signedIn' ? clientFor(id) : null),
    use,
    async restore(query) {
      live()
      await loadedPromise
      const entry = find(query)
      if (!entry) return null
      const client = clientFor(entry.id)
      if (!client) return null
      await client.ready()
      if (!entries()[entry.id]) return null
      return use(entry.id)
    },
    async restoreAll() {
      live()
      await loadedPromise
      const clients = sessions
        .getValue()
        .map((s) => clientFor(s.id))
        .filter((c): c is SessionClient => c !== null)
      await Promise.all(clients.map((c) => c.ready()))
      return clients.filter((c) => [...held.values()].some((h) => h.client === c))
    },
    async signOut(id) {
      if (lifetime.signal.aborted) return
      await loadedPromise
      const ids = id === undefined ? Object.keys(entries()) : [id]
      await Promise.all(ids.map((one) => signOutOne(one)))
    },
    errors$: errors.asObservable(),
    ready: () => loadedPromise,
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
