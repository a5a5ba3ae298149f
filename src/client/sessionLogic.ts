/** Gives the pure session machine its world: methods, storage, keys, timers, other tabs. */
import type { ActorRefFrom } from 'xstate'
import { sessionMachine } from '../../machines/session.machine.js'
import type { AuthMethod } from '../authMethod.js'
import type { Environment } from '../environment/Environment.js'
import type { KeyStore } from '../keys/SessionKey.js'
import type { SessionError } from '../SessionError.js'
import type { SessionStore } from '../storage/sessionStore.js'
import type { RefreshCoordinator, SessionSync } from '../sync/SessionSync.js'
import { sessionActors } from './sessionActors.js'
import { sessionEffects } from './sessionEffects.js'

/** The running session actor. */
export type SessionActor = ActorRefFrom<typeof sessionMachine>

/**
 * Everything the machine's actors and actions need: one client's world.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const logic = createSessionLogic(rt.deps)
 * ```
 */
export interface SessionLogicDeps {
  appId: string
  storageKeyPrefix: string
  env: Environment
  store: SessionStore
  // biome-ignore lint/suspicious/noExplicitAny: see SessionClientOptions.methods
  methods: ReadonlyMap<string, AuthMethod<any>>
  keyStore: KeyStore | null
  /** Who refreshes: made on first use (a page that never refreshes never loads it). */
  coordinator(): Promise<RefreshCoordinator>
  sync: SessionSync | null
  tabId: string
  fetch: typeof fetch
  redirectTimeoutMs: number
  /** Bound on sign-out's server side (revocation, logout URL) and on key deletion, in ms. */
  signOutTimeoutMs: number
  navigate(url: string): void
  reportError(error: SessionError): void
  /** Sign-outs whose server side (revocation, logout redirect) is still running. */
  endings: Set<Promise<void>>
}

/**
 * The session machine with every actor and action provided.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 * import { createActor } from 'xstate'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const actor = createActor(createSessionLogic(rt.deps), { input: { refreshSkewSeconds: 60, now: Date.now() } })
 * ```
 */
export function createSessionLogic(deps: SessionLogicDeps) {
  return sessionMachine.provide({ actors: sessionActors(deps), actions: sessionEffects(deps) })
}
