/** Gives the pure session machine its world: methods, storage, keys, timers, other tabs. */
import { type ActorRefFrom, fromPromise } from 'xstate'
import {
  type LoadOutcome,
  type RefreshOutcome,
  type SignInOutcome,
  sessionMachine,
} from '../../machines/session.machine.js'
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { type AuthMethod, isRedirectRequest, type MethodContext } from '../authMethod.js'
import type { Environment } from '../environment/Environment.js'
import type { KeyStore, SessionKey } from '../keys/SessionKey.js'
import { SessionError, toSessionError } from '../SessionError.js'
import type { SessionStore } from '../storage/sessionStore.js'
import type { RefreshCoordinator, SessionSync } from '../sync/SessionSync.js'
import { buildSessionRecord } from './buildSessionRecord.js'
import { createDueTimer } from './dueTimer.js'

/** The running session actor. */
export type SessionActor = ActorRefFrom<typeof sessionMachine>

/**
 * Everything the machine's actors and actions need.
 *
 * @example
 * ```ts
 * const logic = createSessionLogic({ env, store, methods, keyStore, ... })
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
  coordinator: RefreshCoordinator
  sync: SessionSync | null
  tabId: string
  fetch: typeof fetch
  redirectTimeoutMs: number
  navigate(url: string): void
  reportError(error: SessionError): void
}

/**
 * Classifies anything a method threw during refresh: rejections stay `SESSION_EXPIRED`, a failed
 * `fetch` (TypeError) is `NETWORK`, and the rest is `REFRESH_FAILED`.
 *
 * @example
 * ```ts
 * classifyRefreshError(new TypeError('fetch failed')).code // 'NETWORK'
 * ```
 */
export function classifyRefreshError(error: unknown): SessionError {
  if (error instanceof SessionError) return error
  if (error instanceof TypeError)
    return new SessionError('NETWORK', 'The refresh request could not be sent', { cause: error })
  return new SessionError('REFRESH_FAILED', 'The refresh failed', { cause: error })
}

/**
 * Builds the {@link MethodContext} for one call.
 *
 * @example
 * ```ts
 * const ctx = methodContext(deps, signal, () => keyStore.create())
 * ```
 */
export function methodContext(
  deps: SessionLogicDeps,
  signal: AbortSignal,
  sessionKey: () => Promise<SessionKey>,
): MethodContext {
  return {
    appId: deps.appId,
    storageKeyPrefix: deps.storageKeyPrefix,
    fetch: deps.fetch,
    now: () => deps.env.now(),
    environment: deps.env,
    signal,
    sessionKey,
  }
}

/** Finds a method by id, or throws `METHOD_NOT_FOUND`. */
export function findMethod(deps: SessionLogicDeps, id: string) {
  const method = deps.methods.get(id)
  if (!method) throw new SessionError('METHOD_NOT_FOUND', `No sign-in method with id "${id}"`)
  return method
}

/** A lazily made key for a new session; made at most once per call. */
function newKeyProvider(deps: SessionLogicDeps) {
  let made: Promise<SessionKey> | undefined
  return {
    get: () => {
      if (!deps.keyStore)
        return Promise.reject(new SessionError('KEY_UNAVAILABLE', 'Session keys are turned off'))
      made ??= deps.keyStore.create()
      return made
    },
    /** The key if one was asked for, else a new one when a key store exists; null when keys are unavailable. */
    async settle(): Promise<SessionKey | null> {
      if (!deps.keyStore) return null
      try {
        return await this.get()
      } catch (error) {
        deps.reportError(toSessionError(error, 'KEY_UNAVAILABLE', 'Could not make a session key'))
        return null
      }
    },
    async discard() {
      if (made && deps.keyStore) {
        const key = await made.catch(() => null)
        if (key) await deps.keyStore.delete(key.id).catch(() => undefined)
      }
    },
  }
}

/**
 * The key a stored session points at, looked up when a method asks; rejects with
 * `KEY_UNAVAILABLE` when it is gone.
 *
 * @example
 * ```ts
 * const ctx = methodContext(deps, signal, existingKey(deps, record.keyId))
 * ```
 */
export function existingKey(deps: SessionLogicDeps, keyId: string | undefined): () => Promise<SessionKey> {
  return async () => {
    const key = keyId && deps.keyStore ? await deps.keyStore.get(keyId) : null
    if (!key) throw new SessionError('KEY_UNAVAILABLE', 'The session key is not available in this browser')
    return key
  }
}

/**
 * Makes a record from credentials for `methodId`, with a fresh key (setTokens, sign-in).
 *
 * @example
 * ```ts
 * const record = await establishRecord(deps, credentials, 'password')
 * ```
 */
export async function establishRecord(
  deps: SessionLogicDeps,
  credentials: Parameters<typeof buildSessionRecord>[0],
  methodId: string,
  key: SessionKey | null,
): Promise<SessionRecord> {
  const method = deps.methods.get(methodId)
  return buildSessionRecord(credentials, {
    methodId,
    refreshable: typeof method?.refresh === 'function',
    now: deps.env.now(),
    key,
  })
}

/**
 * The session machine with every actor and action provided.
 *
 * @example
 * ```ts
 * const actor = createActor(createSessionLogic(deps), { input })
 * ```
 */
export function createSessionLogic(deps: SessionLogicDeps) {
  return sessionMachine.provide({
    actors: {
      loadStoredSession: fromPromise<LoadOutcome>(async () => {
        const stored = await deps.store.load()
        return { stored, now: deps.env.now() }
      }),

      signInWithMethod: fromPromise<SignInOutcome, { methodId: string; params: unknown }>(
        async ({ input, signal }) => {
          const method = findMethod(deps, input.methodId)
          const key = newKeyProvider(deps)
          try {
            const result = await method.signIn(input.params, methodContext(deps, signal, key.get))
            if (isRedirectRequest(result)) {
              const now = deps.env.now()
              const made = deps.keyStore ? await key.settle() : null
              return {
                kind: 'redirect',
                url: String(result.url),
                pendingRedirect: {
                  methodId: method.id,
                  startedAt: now,
                  expiresAt: now + deps.redirectTimeoutMs,
                  ...(made ? { keyId: made.id } : {}),
                },
              }
            }
            const record = await establishRecord(deps, result, method.id, await key.settle())
            return { kind: 'session', record, now: deps.env.now() }
          } catch (error) {
            await key.discard()
            throw toSessionError(error, 'SIGN_IN_FAILED', `Sign-in with "${method.id}" failed`)
          }
        },
      ),

      completeRedirect: fromPromise<
        { record: SessionRecord; now: number },
        { methodId: string; url: string; keyId: string | undefined }
      >(async ({ input, signal }) => {
        const method = findMethod(deps, input.methodId)
        if (!method.completeRedirect) {
          throw new SessionError('NOT_SUPPORTED', `Method "${method.id}" has no redirect sign-in`)
        }
        // The key made before leaving the page is the one the provider bound the tokens to.
        const key = input.keyId && deps.keyStore ? await deps.keyStore.get(input.keyId) : null
        const fresh = newKeyProvider(deps)
        const sessionKey = key ? () => Promise.resolve(key) : fresh.get
        try {
          const credentials = await method.completeRedirect(
            new URL(input.url),
            methodContext(deps, signal, sessionKey),
          )
          const record = await establishRecord(deps, credentials, method.id, key ?? (await fresh.settle()))
          return { record, now: deps.env.now() }
        } catch (error) {
          await fresh.discard()
          throw toSessionError(error, 'SIGN_IN_FAILED', `Completing the "${method.id}" redirect failed`)
        }
      }),

      refreshSession: fromPromise<RefreshOutcome, { record: SessionRecord }>(async ({ input, signal }) => {
        try {
          const record = await deps.coordinator.refresh(
            input.record,
            async (latest) => {
              const method = findMethod(deps, latest.session.method)
              if (!method.refresh)
                throw new SessionError('NOT_SUPPORTED', `Method "${method.id}" cannot refresh`)
              const ctx = methodContext(deps, signal, existingKey(deps, latest.keyId))
              const credentials = await method.refresh(latest.credentials, ctx)
              return buildSessionRecord(credentials, {
                methodId: method.id,
                refreshable: true,
                now: deps.env.now(),
                previous: latest,
              })
            },
            signal,
          )
          return { ok: true, record, now: deps.env.now() }
        } catch (error) {
          return {
            ok: false,
            error: classifyRefreshError(error),
            now: deps.env.now(),
            jitter: deps.env.random(),
          }
        }
      }),

      dueTimer: createDueTimer(deps.env),
    },
    actions: {
      persist: ({ context }) => {
        deps.store.write({
          record: context.record,
          expired: context.expired,
          pendingRedirect: context.pendingRedirect,
        })
      },
      clearPersisted: () => deps.store.clear(),
      broadcastSession: ({ context }) => {
        if (context.record) deps.sync?.publish({ type: 'session', record: context.record, from: deps.tabId })
      },
      broadcastExpired: ({ context }) => {
        if (context.expired)
          deps.sync?.publish({ type: 'expired', expired: context.expired, from: deps.tabId })
      },
      broadcastSignedOut: () => deps.sync?.publish({ type: 'signedOut', from: deps.tabId }),
      navigate: (_, params) => {
        if (params.url) deps.navigate(params.url)
      },
      reportError: (_, params) => {
        if (params.error === null || params.error === undefined) return
        if (params.error === 'REDIRECT_TIMEOUT') {
          deps.reportError(new SessionError('REDIRECT_TIMEOUT', 'The redirect sign-in was abandoned'))
          return
        }
        deps.reportError(toSessionError(params.error, 'SIGN_IN_FAILED', 'Sign-in failed'))
      },
    },
  })
}
