/** One kit's running parts: its world (clock, storage, keys, channels), its registry, its clients and its lifetime. */
import { BehaviorSubject, Subject } from 'rxjs'
import { defaultStorage } from '../client/clientRuntime.js'
import type { SessionClient } from '../client/SessionClient.js'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { defaultKeyStore } from '../keys/defaultKeyStore.js'
import type { KeyStore } from '../keys/SessionKey.js'
import { SessionError, toSessionError } from '../SessionError.js'
import type { SessionStatus } from '../session.js'
import type { StorageOption } from '../storage/StorageAdapter.js'
import { SessionStore } from '../storage/sessionStore.js'
import { kitChannels } from './kitChannels.js'
import { registryKey, registryStorage } from './registryStorage.js'
import type { SessionKitOptions, SessionSummary } from './SessionKit.js'
import { createRegistryStore, type RegistryEntry, type RegistryStore } from './sessionRegistry.js'

/**
 * A session's client, as the kit holds it.
 *
 * @example
 * ```ts
 * declare const h: Held
 * if (h.made === 'remote') h.client.getStatus()
 * ```
 */
export interface Held {
  client: SessionClient
  /** Its last status, as its stream said. */
  status: SessionStatus | undefined
  /** Why it was made: read at load, a sign-in of this tab, or another tab's session. */
  made: 'load' | 'own' | 'remote'
  /** The entry's phase when the client was made. */
  phase: RegistryEntry['phase']
  off(): void
}

/**
 * What every part of a kit shares (as `ClientRuntime` is for a client). The parts are functions of
 * it, one concept per file: registrySync.ts, kitClients.ts, followRegistry.ts, sessionSummaries.ts,
 * kitSignIn.ts, kitSessions.ts.
 *
 * @example
 * ```ts
 * const rt: KitRuntime = createKitRuntime({ appId: 'shop', methods })
 * rt.entries() // the registry's entries, by id
 * ```
 */
export interface KitRuntime {
  options: SessionKitOptions
  /** What every session's client is made with: the kit's options less its own. */
  clientOptions: Omit<SessionKitOptions, 'appId' | 'detectRedirectCallback'>
  env: Environment
  prefix: string
  storage: StorageOption
  keyStore: KeyStore | false
  channels: ReturnType<typeof kitChannels>
  /** This kit's id in its messages to the other tabs: it ignores its own. */
  kitId: string
  /** Aborted by `destroy()`. */
  lifetime: AbortController
  redirectTimeoutMs: number
  methodIds: Set<string>
  /** The registry in storage. */
  stored: ReturnType<typeof registryStorage>
  /** The registry as this tab knows it. */
  registry: RegistryStore
  held: Map<string, Held>
  /** Other tabs' new sessions whose data this tab is waiting to see in storage. */
  adopting: Set<string>
  /** Sign-ins (and redirect completions) running in this tab. */
  signingIn: Set<string>
  errors: Subject<SessionError>
  report(error: SessionError): void
  /** What the app reads: the summaries and the active client. */
  sessions: BehaviorSubject<SessionSummary[]>
  active: BehaviorSubject<SessionClient | null>
  /** True once the registry was read from storage. */
  loaded: boolean
  loadedPromise: Promise<void>
  markLoaded(): void
  /** The registry writes in flight, chained so they land in order (registrySync.ts). */
  writes: Promise<void> | null
  /** A reconciliation is running; `again` asks it for one more pass (followRegistry.ts). */
  reconciling: boolean
  again: boolean
  /** A session's namespace: its own storage keys, channel and refresh lock. */
  namespaceOf(id: string): string
  namespaceStore(id: string): SessionStore
  entries(): Record<string, RegistryEntry>
  /** Throws `DESTROYED` once the kit was destroyed. */
  live(): void
}

function kitKeyStore(options: SessionKitOptions, report: (error: SessionError) => void): KeyStore | false {
  return options.keyStore === false
    ? false
    : (options.keyStore ??
        defaultKeyStore((error) =>
          report(toSessionError(error, 'KEY_UNAVAILABLE', 'Session keys fell back to memory')),
        ))
}

/**
 * Builds a kit's world from its options: nothing is read or subscribed yet.
 *
 * @example
 * ```ts
 * const rt = createKitRuntime({ appId: 'shop', methods })
 * rt.live() // throws once the kit was destroyed
 * ```
 */
export function createKitRuntime(options: SessionKitOptions): KitRuntime {
  if (!options || typeof options.appId !== 'string' || options.appId.length === 0) {
    throw new SessionError('INVALID_PARAMS', 'createSessionKit needs a non-empty appId')
  }
  // The kit's own options stay here: each client gets a namespace and leaves redirects to the kit.
  const { appId, detectRedirectCallback, ...clientOptions } = options
  const env: Environment = { ...defaultEnvironment(), ...options.environment }
  const prefix = options.storageKeyPrefix ?? 'tessera'
  const storage = options.storage ?? defaultStorage()
  const errors = new Subject<SessionError>()
  const report = (error: SessionError) => errors.next(error)
  const keyStore = kitKeyStore(options, report)
  const channels = kitChannels(options.sync, prefix, appId)
  const lifetime = new AbortController()
  const timeoutMs = options.storageTimeoutMs ?? 3000
  const namespaceOf = (id: string) => `${appId}/${id}`
  const registry = createRegistryStore()
  let markLoaded: () => void = () => undefined
  const loadedPromise = new Promise<void>((resolve) => {
    markLoaded = resolve
  })
  return {
    options,
    clientOptions,
    env,
    prefix,
    storage,
    keyStore,
    channels,
    kitId: globalThis.crypto.randomUUID(),
    lifetime,
    redirectTimeoutMs: (options.redirectTimeoutSeconds ?? 600) * 1000,
    methodIds: new Set(options.methods.map((m) => m.id)),
    stored: registryStorage({
      adapter: 'default' in storage ? storage.default : storage,
      key: registryKey(prefix, appId),
      timeoutMs,
      environment: env,
      onError: report,
    }),
    registry,
    held: new Map(),
    adopting: new Set(),
    signingIn: new Set(),
    errors,
    report,
    sessions: new BehaviorSubject<SessionSummary[]>([]),
    active: new BehaviorSubject<SessionClient | null>(null),
    loaded: false,
    loadedPromise,
    markLoaded,
    writes: null,
    reconciling: false,
    again: false,
    namespaceOf,
    namespaceStore: (id) =>
      new SessionStore({
        storage,
        prefix,
        appId: namespaceOf(id),
        timeoutMs,
        environment: env,
        onError: report,
      }),
    entries: () => registry.getSnapshot().context.entries,
    live: () => {
      if (lifetime.signal.aborted) throw new SessionError('DESTROYED', 'The session kit was destroyed')
    },
  }
}
