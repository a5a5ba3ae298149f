/** base64url (RFC 4648 §5, no padding), for JWTs, JWKs and thumbprints. */

/**
 * Encodes bytes, or a string as UTF-8, as base64url without padding.
 *
 * @example
 * ```ts
 * import { base64urlEncode } from './base64url.js'
 *
 * base64urlEncode('{"alg":"ES256"}') // 'eyJhbGciOiJFUzI1NiJ9'
 * ```
 */
export function base64urlEncode(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/**
 * Decodes base64url (padding optional) to bytes; throws on anything else.
 *
 * @example
 * ```ts
 * import { base64urlDecode } from './base64url.js'
 *
 * new TextDecoder().decode(base64urlDecode('eyJhbGciOiJFUzI1NiJ9')) // '{"alg":"ES256"}'
 * ```
 */
export function base64urlDecode(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new TypeError('not base64url')
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}
