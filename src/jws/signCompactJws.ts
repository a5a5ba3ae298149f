/**
 * ES256 compact JWS signed with WebCrypto: the only signing the core does (DPoP proofs, the
 * session-key ID token). jose verifies them in the tests and in tessera-session/server; the core
 * signs with these few lines so that a page never downloads jose's signer (5.5 KB gzip).
 */
import { base64urlEncode } from './base64url.js'

/**
 * Signs `payload` with `header` (its `alg` is set to ES256) using a P-256 private key. WebCrypto's
 * ECDSA signature is already the IEEE P1363 `r || s` that JWS (RFC 7515 A.3) wants.
 *
 * @example
 * ```ts
 * import { createSessionKey } from 'tessera-session'
 * import { signCompactJws } from './signCompactJws.js'
 *
 * const key = await createSessionKey()
 * const jwt = await signCompactJws(key.privateKey, { typ: 'JWT' }, { sub: 'ada' })
 * ```
 */
export async function signCompactJws(
  privateKey: CryptoKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const input = `${base64urlEncode(JSON.stringify({ ...header, alg: 'ES256' }))}.${base64urlEncode(JSON.stringify(payload))}`
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    new TextEncoder().encode(input),
  )
  return `${input}.${base64urlEncode(new Uint8Array(signature))}`
}

/**
 * The RFC 7638 SHA-256 thumbprint of an EC public JWK (the DPoP `jkt`).
 *
 * @example
 * ```ts
 * import { ecThumbprint } from './signCompactJws.js'
 *
 * const jkt = await ecThumbprint({ kty: 'EC', crv: 'P-256', x: '…', y: '…' })
 * ```
 */
export async function ecThumbprint(jwk: { crv: string; kty: string; x: string; y: string }): Promise<string> {
  // The required members only, in lexicographic order, with no whitespace (RFC 7638 §3.2).
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))
  return base64urlEncode(new Uint8Array(digest))
}
