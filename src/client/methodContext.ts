/** What a sign-in method gets on each call, and the keys it may ask for. */
import type { AuthMethod, MethodContext } from '../authMethod.js'
import type { SessionKey } from '../keys/SessionKey.js'
import { SessionError, toSessionError } from '../SessionError.js'
import type { SessionLogicDeps } from './sessionLogic.js'

/**
 * Builds the {@link MethodContext} for one call.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const { record } = rt.actor.getSnapshot().context
 * const ctx = methodContext(rt.deps, rt.lifetime, existingKey(rt.deps, record?.keyId))
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

/**
 * Finds a method by id, or throws `METHOD_NOT_FOUND`.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const method = findMethod(rt.deps, 'oidc')
 * ```
 */
export function findMethod(deps: SessionLogicDeps, id: string): AuthMethod<unknown> {
  const method = deps.methods.get(id)
  if (!method) throw new SessionError('METHOD_NOT_FOUND', `No sign-in method with id "${id}"`)
  return method
}

/**
 * The key a stored session points at, looked up when a method asks; rejects with
 * `KEY_UNAVAILABLE` when it is gone.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const { record } = rt.actor.getSnapshot().context
 * const key = await existingKey(rt.deps, record?.keyId)() // KEY_UNAVAILABLE when it is gone
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
 * A key for a new session, made lazily and at most once per sign-in; `discard()` deletes it when
 * the sign-in does not end in a session.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const key = newKey(rt.deps)
 * const method = findMethod(rt.deps, 'password')
 * try { await method.signIn({ user: 'ada' }, methodContext(rt.deps, rt.lifetime, key.get)) } catch (e) { await key.discard(); throw e }
 * ```
 */
export function newKey(deps: SessionLogicDeps) {
  let made: Promise<SessionKey> | undefined
  return {
    get: (): Promise<SessionKey> => {
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
    async discard(): Promise<void> {
      const key = made ? await made.catch(() => null) : null
      if (key) await deps.keyStore?.delete(key.id).catch(() => undefined)
    },
  }
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
