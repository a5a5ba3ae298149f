/** One client's running parts: its world (deps), its actor, its error channel and its lifetime. */
import { createActor } from 'xstate'
import { needsCheck } from '../../machines/sessionSelectors.js'
import type { AuthMethod } from '../authMethod.js'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { defaultKeyStore } from '../keys/defaultKeyStore.js'
import type { KeyStore } from '../keys/SessionKey.js'
import { loadWork } from '../loadWork.js'
import { SessionError, toSessionError } from '../SessionError.js'
import { memoryStorage } from '../storage/memoryStorage.js'
import type { StorageOption } from '../storage/StorageAdapter.js'
import { SessionStore } from '../storage/sessionStore.js'
import { webStorage } from '../storage/webStorage.js'
import { broadcastChannelSync } from '../sync/broadcastChannelSync.js'
import { inProcessRefreshCoordinator } from '../sync/inProcessRefreshCoordinator.js'
import type { RefreshCoordinator, SessionSync } from '../sync/SessionSync.js'
import type { SessionClientOptions } from './SessionClient.js'
import { createSessionLogic, type SessionActor, type SessionLogicDeps } from './sessionLogic.js'

/**
 * What every operation of a client shares.
 *
 * @example
 * ```ts
 * const rt: ClientRuntime = createClientRuntime({ appId: 'shop', methods })
 * rt.actor.start()
 * ```
 */
export interface ClientRuntime {
  deps: SessionLogicDeps
  actor: SessionActor
  options: SessionClientOptions
  /** Aborted by `destroy()`: every wait of the client listens to it. */
  lifetime: AbortSignal
  /** The snapshot after the machine has looked at the clock (`now`, or the environment's), when a read needs it. */
  current(now?: number): ReturnType<SessionActor['getSnapshot']>
  errors: ErrorChannel
  /** Undoes what the runtime opened (channels, coordinators); the client calls it on destroy. */
  close(): void
}

/** `errors$`'s source: listeners, and what went wrong while the client was being built. */
export interface ErrorChannel {
  report(error: SessionError): void
  subscribe(listener: (error: SessionError) => void): () => void
  /** Errors raised during construction, replayed to every subscriber. */
  readonly startup: SessionError[]
  constructed(): void
}

function errorChannel(): ErrorChannel {
  const listeners = new Set<(error: SessionError) => void>()
  const startup: SessionError[] = []
  let constructing = true
  return {
    report(error) {
      if (constructing) startup.push(error)
      for (const listener of listeners) listener(error)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    startup,
    constructed: () => {
      constructing = false
    },
  }
}

/**
 * The storage a client uses when none is given: localStorage in a browser, memory elsewhere.
 *
 * @example
 * ```ts
 * import type { SessionClientOptions } from './SessionClient.js'
 *
 * declare const options: SessionClientOptions
 * const storage = options.storage ?? defaultStorage()
 * ```
 */
export function defaultStorage(): StorageOption {
  try {
    if (typeof localStorage !== 'undefined') return webStorage(localStorage)
  } catch {
    // Accessing localStorage throws in some sandboxed iframes: memory it is.
  }
  return memoryStorage()
}

/**
 * BroadcastChannel in browsers (pages and workers). Not by default in Node, where every client of
 * a server process would share one channel: two requests' clients would hear each other's
 * sign-ins. Pass `sync: broadcastChannelSync(…)` to share on purpose.
 */
function defaultSync(
  options: SessionClientOptions,
  prefix: string,
): { sync: SessionSync | null; owned: boolean } {
  if (options.sync === false) return { sync: null, owned: false }
  if (options.sync && options.sync !== true) return { sync: options.sync, owned: false }
  const browser =
    typeof document !== 'undefined' ||
    typeof (globalThis as { importScripts?: unknown }).importScripts === 'function'
  const sync =
    browser && typeof BroadcastChannel === 'function' ? broadcastChannelSync(prefix, options.appId) : null
  return { sync, owned: true }
}

/** Who refreshes, made on first use: the tabs' own bus's, else Web Locks and IndexedDB, else one tab alone. */
function lazyCoordinator(
  options: SessionClientOptions,
  sync: SessionSync | null,
  prefix: string,
  env: Environment,
) {
  let made: Promise<RefreshCoordinator> | undefined
  const make = async (): Promise<RefreshCoordinator> => {
    if (options.refreshCoordinator) return options.refreshCoordinator
    if (sync?.refreshCoordinator)
      return sync.refreshCoordinator({ key: `${prefix}:${options.appId}`, environment: env })
    const browserish =
      (typeof navigator !== 'undefined' && navigator.locks) || typeof indexedDB !== 'undefined'
    if (!browserish) return inProcessRefreshCoordinator({ environment: env })
    const { crossTabRefreshCoordinator } = await loadWork()
    return crossTabRefreshCoordinator({ prefix, appId: options.appId, environment: env })
  }
  return {
    get: () => {
      made ??= make()
      return made
    },
    close: () => {
      if (!options.refreshCoordinator) void made?.then((c) => c.close?.())
    },
  }
}

function methodsById(options: SessionClientOptions) {
  // biome-ignore lint/suspicious/noExplicitAny: methods take differently typed params
  const methods = new Map<string, AuthMethod<any>>()
  for (const method of options.methods ?? []) {
    if (methods.has(method.id))
      throw new SessionError('INVALID_PARAMS', `Two methods share the id "${method.id}"`)
    methods.set(method.id, method)
  }
  return methods
}

/**
 * Builds a client's world from its options and creates (but does not start) its actor.
 *
 * @example
 * ```ts
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * ```
 */
export function createClientRuntime(options: SessionClientOptions): ClientRuntime {
  if (!options || typeof options.appId !== 'string' || options.appId.length === 0) {
    throw new SessionError('INVALID_PARAMS', 'createSessionClient needs a non-empty appId')
  }
  const methods = methodsById(options)
  const env: Environment = { ...defaultEnvironment(), ...options.environment }
  const prefix = options.storageKeyPrefix ?? 'tessera'
  const errors = errorChannel()
  const lifetime = new AbortController()
  const storageTimeoutMs = options.storageTimeoutMs ?? 3000
  const store = new SessionStore({
    storage: options.storage ?? defaultStorage(),
    prefix,
    appId: options.appId,
    timeoutMs: storageTimeoutMs,
    environment: env,
    onError: errors.report,
    // Storage is one more way other tabs speak: what it holds reaches the machine as their message would.
    onNewer: (stored) => {
      if (lifetime.signal.aborted) return
      if (stored.record) actor.send({ type: 'REMOTE_SESSION', record: stored.record, now: env.now() })
      else if (stored.signedOut) actor.send({ type: 'REMOTE_SIGNED_OUT', session: stored.signedOut })
    },
    onDisplaced: (keyId) => {
      if (!lifetime.signal.aborted) actor.send({ type: 'KEY_DISPLACED', keyId })
    },
  })
  const keyStore: KeyStore | null =
    options.keyStore === false
      ? null
      : (options.keyStore ??
        defaultKeyStore((error) =>
          errors.report(toSessionError(error, 'KEY_UNAVAILABLE', 'Session keys fell back to memory')),
        ))
  const { sync, owned } = defaultSync(options, prefix)
  const coordinator = lazyCoordinator(options, sync, prefix, env)
  const deps: SessionLogicDeps = {
    appId: options.appId,
    storageKeyPrefix: prefix,
    env,
    store,
    methods,
    keyStore,
    coordinator: coordinator.get,
    sync,
    tabId: globalThis.crypto.randomUUID(),
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    redirectTimeoutMs: (options.redirectTimeoutSeconds ?? 600) * 1000,
    signOutTimeoutMs: options.signOutTimeoutMs ?? 5000,
    navigate: options.navigate ?? ((url) => globalThis.location?.assign(url)),
    reportError: errors.report,
    endings: new Set(),
  }
  // Read synchronously when the storage allows it, so the very first snapshot is the real one.
  const first = store.load()
  const actor = createActor(createSessionLogic(deps), {
    input: {
      refreshSkewSeconds: options.refreshSkewSeconds ?? 60,
      now: env.now(),
      ...('then' in first ? {} : { restored: first }),
    },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  })
  return {
    deps,
    actor,
    options,
    lifetime: lifetime.signal,
    current(now = env.now()) {
      const snapshot = actor.getSnapshot()
      if (lifetime.signal.aborted || !needsCheck(snapshot, now)) return snapshot
      actor.send({ type: 'CHECK', now })
      return actor.getSnapshot()
    },
    errors,
    close() {
      lifetime.abort(new SessionError('DESTROYED', 'The client was destroyed'))
      if (owned) sync?.close()
      coordinator.close()
    },
  }
}
