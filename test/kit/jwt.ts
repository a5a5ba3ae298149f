/** The one fake JWT maker: JWT-shaped and unsigned (tessera only decodes access tokens; servers verify). */

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * A JWT-shaped token with `claims`; each call differs (a random signature part).
 *
 * @example
 * ```ts
 * const token = fakeJwt({ sub: 'ada', iat: 1_767_225_600, exp: 1_767_225_900 })
 * ```
 */
export function fakeJwt(claims: Record<string, unknown>): string {
  const signature = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(12))).toString('base64url')
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.${signature}`
}
