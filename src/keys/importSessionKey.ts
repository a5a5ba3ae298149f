/** Rebuilds a session key from a private JWK: how a portable session's key arrives in a key store. */
import { SessionError } from '../SessionError.js'
import type { SessionKey } from './SessionKey.js'
import { describeSessionKey, subtle } from './sessionKeyPair.js'

/**
 * Rebuilds a session key from its private JWK (a portable session's `serialize({ includeKey: true })`),
 * under the id it had. The private key is extractable only when asked for.
 *
 * @example
 * ```ts
 * declare const privateJwk: JsonWebKey // a portable session's key, from serialize({ includeKey: true })
 * const key = await importSessionKey('k1', privateJwk, { extractable: false })
 * ```
 */
export async function importSessionKey(
  id: string,
  privateJwk: JsonWebKey,
  options: { extractable?: boolean } = {},
): Promise<SessionKey> {
  const { kty, crv, x, y, d } = privateJwk
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y || !d) {
    throw new SessionError('INVALID_SESSION', 'The included session key is not a P-256 private JWK')
  }
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' }
  try {
    const privateKey = await subtle().importKey(
      'jwk',
      { kty, crv, x, y, d },
      algorithm,
      options.extractable === true,
      ['sign'],
    )
    const publicKey = await subtle().importKey('jwk', { kty, crv, x, y }, algorithm, true, ['verify'])
    return await describeSessionKey(id, { privateKey, publicKey })
  } catch (error) {
    if (error instanceof SessionError) throw error
    throw new SessionError('INVALID_SESSION', 'The included session key could not be imported', {
      cause: error,
    })
  }
}
