/** Reads a JWT's claims without verifying it: tessera only decodes access tokens, servers verify them. */
import { base64urlDecode } from './base64url.js'

/**
 * The payload of a compact JWT as an object, or null when `token` is not one (an opaque token).
 *
 * @example
 * ```ts
 * import { decodeJwtClaims } from './decodeJwtClaims.js'
 *
 * decodeJwtClaims('eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGEifQ.')?.sub // 'ada'
 * ```
 */
export function decodeJwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.')
  if (parts.length !== 3) return null
  try {
    const claims: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(base64urlDecode(parts[1] as string)),
    )
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}
