/**
 * Makes a session's non-extractable P-256 key pair and derives its public identifiers. Part of the
 * lazily loaded work (lazyWork.ts); the public `createSessionKey` (createSessionKey.ts) loads it.
 */
import { ecThumbprint } from '../jws/signCompactJws.js'
import { SessionError } from '../SessionError.js'
import { didKeyFromP256 } from './didKey.js'
import type { SessionKey } from './SessionKey.js'

/** WebCrypto's SubtleCrypto, or `SessionError('KEY_UNAVAILABLE')` where there is none. */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle
  if (!s) throw new SessionError('KEY_UNAVAILABLE', 'WebCrypto (crypto.subtle) is not available here')
  return s
}

function randomId(): string {
  return globalThis.crypto.randomUUID()
}

/**
 * Builds the {@link SessionKey} view of an existing pair (used when a key store reads one back).
 *
 * @example
 * ```ts
 * const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
 * const key = await describeSessionKey('key-1', pair)
 * key.thumbprint // the DPoP `jkt`
 * ```
 */
export async function describeSessionKey(id: string, pair: CryptoKeyPair): Promise<SessionKey> {
  const s = subtle()
  // The public half stays extractable on purpose: it is public, and DPoP needs its JWK.
  const publicJwk = await s.exportKey('jwk', pair.publicKey)
  const raw = new Uint8Array(await s.exportKey('raw', pair.publicKey))
  const jwk = { kty: 'EC', crv: 'P-256', x: publicJwk.x as string, y: publicJwk.y as string }
  return {
    id,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicJwk: jwk,
    thumbprint: await ecThumbprint(jwk),
    did: didKeyFromP256(raw),
  }
}

/**
 * Generates a fresh ES256 key pair (what `createSessionKey` runs once the work has loaded).
 *
 * @example
 * ```ts
 * const key = await generateSessionKey({ extractable: false })
 * ```
 */
export async function generateSessionKey(options: { extractable?: boolean } = {}): Promise<SessionKey> {
  try {
    const pair = (await subtle().generateKey(
      { name: 'ECDSA', namedCurve: 'P-256' },
      options.extractable === true,
      ['sign', 'verify'],
    )) as CryptoKeyPair
    return await describeSessionKey(randomId(), pair)
  } catch (error) {
    if (error instanceof SessionError) throw error
    throw new SessionError('KEY_UNAVAILABLE', 'Could not generate a session key', { cause: error })
  }
}
