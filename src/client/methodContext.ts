/** What a sign-in method gets on each call, and the keys it may ask for. */
import type { AuthMethod, MethodContext } from '../authMethod.js'
import type { SessionKey } from '../keys/SessionKey.js'
import { SessionError } from '../SessionError.js'
import type { SessionLogicDeps } from './sessionLogic.js'

/**
 * Builds the {@link MethodContext} for one call.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 * import type { SessionRecord } from '../../machines/sessionRecord.js'
 *
 * declare const record: SessionRecord
 * const { deps } = createClientRuntime({ appId: 'shop', methods })
 * const ctx = methodContext(deps, new AbortController().signal, existingKey(deps, record.keyId))
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
 * const { deps } = createClientRuntime({ appId: 'shop', methods })
 * const method = findMethod(deps, 'oidc')
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
 * import type { SessionRecord } from '../../machines/sessionRecord.js'
 *
 * declare const record: SessionRecord
 * const { deps } = createClientRuntime({ appId: 'shop', methods })
 * const key = await existingKey(deps, record.keyId)()
 * ```
 */
export function existingKey(deps: SessionLogicDeps, keyId: string | undefined): () => Promise<SessionKey> {
  return async () => {
    const key = keyId && deps.keyStore ? await deps.keyStore.get(keyId) : null
    if (!key) throw new SessionError('KEY_UNAVAILABLE', 'The session key is not available in this browser')
    return key
  }
}
