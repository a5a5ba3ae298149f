/** How `client.fetch` authorizes a request: the method's way, a DPoP proof, or a plain header. */
import type { SessionRecord } from '../../machines/sessionRecord.js'
import type { AuthorizableRequest } from '../http/authenticatedFetch.js'
import { createDPoPProof } from '../http/dpopProof.js'
import type { ClientRuntime } from './clientRuntime.js'
import { existingKey, methodContext } from './methodContext.js'

/**
 * Sets the request's authorization for `record`. Synchronous for plain Bearer tokens, so the hot
 * path has no await.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const { record } = rt.actor.getSnapshot().context
 * const request = { method: 'GET', url: 'https://api.example.com/me', headers: new Headers() }
 * if (record) await requestAuthorizer(rt)(request, record) // sets Authorization (and DPoP)
 * ```
 */
export function requestAuthorizer(rt: ClientRuntime) {
  const { deps } = rt
  async function authorizeAsync(request: AuthorizableRequest, record: SessionRecord): Promise<void> {
    const method = deps.methods.get(record.session.method)
    const key = existingKey(deps, record.keyId)
    if (method?.authorizeRequest) {
      await method.authorizeRequest(request, record.credentials, methodContext(deps, rt.lifetime, key))
      return
    }
    // A DPoP-bound token: a fresh proof per request, signed by the session key.
    const proof = await createDPoPProof(await key(), {
      method: request.method,
      url: request.url,
      accessToken: record.session.accessToken,
      now: deps.env.now(),
      ...(request.nonce ? { nonce: request.nonce } : {}),
    })
    request.headers.set('Authorization', `DPoP ${record.session.accessToken}`)
    request.headers.set('DPoP', proof)
  }
  return (request: AuthorizableRequest, record: SessionRecord): void | Promise<void> => {
    if (!deps.methods.get(record.session.method)?.authorizeRequest && record.session.tokenType !== 'DPoP') {
      request.headers.set('Authorization', `${record.session.tokenType} ${record.session.accessToken}`)
      return undefined
    }
    return authorizeAsync(request, record)
  }
}
