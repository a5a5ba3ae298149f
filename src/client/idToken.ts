/** `getIdToken()`: the method's ID token, or a short-lived ES256 JWT signed by the session key. */
import { readableSession } from '../../machines/sessionSelectors.js'
import type { IdTokenOptions } from '../authMethod.js'
import { signSessionIdToken } from '../keys/sessionIdToken.js'
import { SessionError } from '../SessionError.js'
import type { ClientRuntime } from './clientRuntime.js'
import { existingKey, methodContext } from './methodContext.js'
import { ready } from './signInOperations.js'

/**
 * A short-lived ID token for the current session.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const token = await getIdToken(rt, { ttlSeconds: 60 })
 * ```
 */
export async function getIdToken(rt: ClientRuntime, options: IdTokenOptions = {}): Promise<string> {
  await ready(rt)
  const { deps } = rt
  const snapshot = rt.current()
  const record = snapshot.context.record
  if (!record || !readableSession(snapshot, deps.env.now())) {
    throw new SessionError('NO_SESSION', 'There is no active session')
  }
  const method = deps.methods.get(record.session.method)
  const key = existingKey(deps, record.keyId)
  if (method?.getIdToken) {
    return method.getIdToken(record.credentials, options, methodContext(deps, rt.lifetime, key))
  }
  const ttl = options.ttlSeconds ?? 300
  if (!(ttl > 0)) throw new SessionError('INVALID_PARAMS', 'ttlSeconds must be a positive number')
  return signSessionIdToken(await key(), {
    subject: record.session.subject,
    nowSeconds: Math.floor(deps.env.now() / 1000),
    ttlSeconds: ttl,
    ...(options.customClaims ? { customClaims: options.customClaims } : {}),
  })
}
