/** DPoP proofs (RFC 9449) for resource requests, signed by the session's non-extractable key. */
import { base64urlEncode } from '../jws/base64url.js'
import { signCompactJws } from '../jws/signCompactJws.js'
import type { SessionKey } from '../keys/SessionKey.js'

async function accessTokenHash(accessToken: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken))
  return base64urlEncode(new Uint8Array(digest))
}

/**
 * A DPoP proof JWT for one request: `htm`, `htu` (without query and fragment), `iat`, a fresh
 * `jti`, `ath` bound to the access token, and the server's `nonce` when it asked for one.
 *
 * @example
 * ```ts
 * import { createSessionKey } from 'tessera-session'
 *
 * const key = await createSessionKey()
 * const accessToken = 'eyJhbGciOiJFUzI1NiJ9.e30.sig' // a DPoP-bound access token
 * const url = 'https://api.example.com/orders'
 * const headers = new Headers({ Authorization: `DPoP ${accessToken}` })
 * headers.set('DPoP', await createDPoPProof(key, { method: 'GET', url, accessToken, now: Date.now() }))
 * ```
 */
export async function createDPoPProof(
  key: SessionKey,
  request: { method: string; url: string; accessToken?: string; nonce?: string; now: number },
): Promise<string> {
  const htu = new URL(request.url)
  htu.search = ''
  htu.hash = ''
  const payload: Record<string, unknown> = {
    htm: request.method.toUpperCase(),
    htu: htu.href,
    jti: crypto.randomUUID(),
  }
  if (request.accessToken) payload.ath = await accessTokenHash(request.accessToken)
  if (request.nonce) payload.nonce = request.nonce
  payload.iat = Math.floor(request.now / 1000)
  return signCompactJws(key.privateKey, { typ: 'dpop+jwt', jwk: key.publicJwk }, payload)
}
