/**
 * What the methods that talk to an app's own backend (wallet, passkey, Torus's endpoints) share:
 * a path for messages, the error for a server out of reach, and the OAuth-style token answer.
 */
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'

/**
 * A URL's path for messages: never the query, where a server might have put something secret.
 *
 * @example
 * ```ts
 * pathOf('https://api.example/siwe/nonce?x=secret') // '/siwe/nonce'
 * ```
 */
export function pathOf(url: string): string {
  return new URL(url, 'http://x').pathname
}

/**
 * The error for a fetch that failed before any answer: `NETWORK`, naming the path only.
 *
 * @example
 * ```ts
 * try {
 *   await fetch('/siwe/nonce')
 * } catch (error) {
 *   throw unreachable('/siwe/nonce', error)
 * }
 * ```
 */
export function unreachable(url: string, cause: unknown): SessionError {
  return new SessionError('NETWORK', `Could not reach ${pathOf(url)}`, { cause })
}

/**
 * A backend's token answer, as parsed JSON: nothing in it is trusted yet.
 *
 * @example
 * ```ts
 * const body: TokenAnswer = { access_token: 'eyJhbGciOi…', refresh_token: 'r1…', expires_in: 900 }
 * ```
 */
export interface TokenAnswer {
  access_token?: unknown
  refresh_token?: unknown
  expires_at?: unknown
  expires_in?: unknown
}

/**
 * The credentials every token answer carries: the access token (required, else
 * `INVALID_RESPONSE`), the refresh token, and the expiry from `expires_at` (unix seconds) or
 * `expires_in` (seconds from `now`, in ms).
 *
 * @example
 * ```ts
 * tokenAnswerCredentials({ access_token: 'eyJhbGciOi…', expires_in: 900 }, Date.now())
 * ```
 */
export function tokenAnswerCredentials(
  body: TokenAnswer,
  now: number,
): Pick<Credentials, 'accessToken' | 'refreshToken' | 'expiresAt'> {
  if (typeof body.access_token !== 'string' || body.access_token.length === 0) {
    throw new SessionError('INVALID_RESPONSE', 'The server answered without an access token')
  }
  const expiresAt =
    typeof body.expires_at === 'number'
      ? body.expires_at
      : typeof body.expires_in === 'number'
        ? Math.floor(now / 1000) + body.expires_in
        : undefined
  return {
    accessToken: body.access_token,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  }
}
