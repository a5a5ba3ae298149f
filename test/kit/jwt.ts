/**
 * The one fake JWT maker: JWT-shaped and unsigned (tessera only decodes access tokens; servers
 * verify). No Buffer: the same code runs in Node and in the browser-mode suites (Chromium).
 */

/** base64url of bytes, without padding (btoa exists in Node and in browsers). */
function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/** JSON, UTF-8 encoded, then base64url: a JWT segment (claims may hold any character). */
const segment = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)))

/**
 * What else a fake token can be made of, for tests about the token itself.
 *
 * @example
 * ```ts
 * const unsigned: FakeJwtOptions = { header: { alg: 'none', typ: 'JWT' }, signature: '' }
 * ```
 */
export interface FakeJwtOptions {
  /** The JOSE header. Default `{ alg: 'HS256', typ: 'JWT' }`. */
  header?: Record<string, unknown>
  /** The third segment as is. Default random, so each call differs. */
  signature?: string
}

/**
 * A JWT-shaped token with `claims`; each call differs (a random signature part).
 *
 * @example
 * ```ts
 * const token = fakeJwt({ sub: 'ada', iat: 1_767_225_600, exp: 1_767_225_900 })
 * ```
 */
export function fakeJwt(claims: Record<string, unknown>, options: FakeJwtOptions = {}): string {
  const signature = options.signature ?? base64url(globalThis.crypto.getRandomValues(new Uint8Array(12)))
  return `${segment(options.header ?? { alg: 'HS256', typ: 'JWT' })}.${segment(claims)}.${signature}`
}
