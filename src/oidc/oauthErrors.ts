/** Maps oauth4webapi's errors onto SessionError codes callers can branch on. */
import * as oauth from 'oauth4webapi'
import { SessionError, type SessionErrorCode } from '../SessionError.js'

/**
 * Translates anything an OAuth call threw:
 * - an OAuth error response with `invalid_grant` is a rejection (`options.rejection`, if given);
 * - a 5xx or an unreachable server is `NETWORK` (transient: the client retries);
 * - the provider's `error=` on the callback is `SIGN_IN_FAILED`;
 * - a response that fails validation (state, nonce, audience, expiry, signature) is `INVALID_RESPONSE`;
 * - anything else gets `fallback`.
 * Messages carry the OAuth error code and description, never a token.
 *
 * @example
 * ```ts
 * try {
 *   await fetch('https://id.example.com/token', { method: 'POST' })
 * } catch (e) {
 *   throw toSessionErrorFromOAuth(e, 'REFRESH_FAILED', 'Refresh failed', { rejection: 'SESSION_EXPIRED' })
 * }
 * ```
 */
export function toSessionErrorFromOAuth(
  error: unknown,
  fallback: SessionErrorCode,
  message: string,
  options: { rejection?: SessionErrorCode } = {},
): SessionError {
  if (error instanceof SessionError) return error
  if (error instanceof oauth.ResponseBodyError) {
    const detail = `${message}: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`
    if (error.status >= 500) return new SessionError('NETWORK', detail, { cause: error })
    if (options.rejection && (error.error === 'invalid_grant' || error.status === 401)) {
      return new SessionError(options.rejection, detail, { cause: error })
    }
    return new SessionError(fallback, detail, { cause: error })
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return new SessionError('SIGN_IN_FAILED', `${message}: the provider answered ${error.error}`, {
      cause: error,
    })
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    // A 5xx body or an HTML error page is the provider being down, not an invalid answer.
    const status = (error.cause as { status?: unknown } | undefined)?.status
    if (typeof status === 'number' && status >= 500)
      return new SessionError('NETWORK', message, { cause: error })
    return new SessionError('INVALID_RESPONSE', `${message}: ${error.message}`, { cause: error })
  }
  // fetch() rejects with a plain TypeError when the network fails; oauth4webapi's own argument
  // errors are TypeErrors too, but carry a `code`.
  const isFetchFailure = error instanceof TypeError && !('code' in error)
  if (isFetchFailure || (error as { name?: unknown })?.name === 'AbortError') {
    return new SessionError('NETWORK', `${message}: the provider could not be reached`, { cause: error })
  }
  return new SessionError(fallback, message, { cause: error })
}
