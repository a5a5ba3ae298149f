/** A token endpoint's answer, checked (DPoP binding, same subject) and turned into the session's credentials. */
import type * as oauth from 'oauth4webapi'
import type { MethodContext } from '../authMethod.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'

/**
 * The credentials of a token answer, with the identity of its validated ID token's claims.
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * declare const result: Parameters<typeof toCredentials>[0] // oauth4webapi's processed token answer
 * const credentials = toCredentials(result, ctx, undefined)
 * ```
 */
export function toCredentials(
  result: oauth.TokenEndpointResponse,
  ctx: MethodContext,
  claims: oauth.IDToken | undefined,
): Credentials {
  const nowSeconds = Math.floor(ctx.now() / 1000)
  return {
    accessToken: result.access_token,
    ...(result.refresh_token ? { refreshToken: result.refresh_token } : {}),
    ...(result.id_token ? { idToken: result.id_token } : {}),
    ...(typeof result.expires_in === 'number' ? { expiresAt: nowSeconds + result.expires_in } : {}),
    tokenType: result.token_type.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer',
    ...(claims
      ? {
          subject: claims.sub,
          ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
          // The ID token's standard claims fill the session, as an access token's would.
          ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
          claims: { ...claims },
        }
      : {}),
  }
}

/**
 * A provider that answers Bearer when DPoP was asked for would turn a key-bound session into a
 * bearer one without anyone noticing (RFC 9449 section 5: the client must check `token_type`).
 *
 * @example
 * ```ts
 * declare const result: Parameters<typeof requireBoundToken>[0] // oauth4webapi's processed token answer
 * declare const dpop: Parameters<typeof requireBoundToken>[1] // the DPoP handle the request used, if any
 * requireBoundToken(result, dpop) // throws INVALID_RESPONSE for a Bearer answer to a DPoP request
 * ```
 */
export function requireBoundToken(
  result: oauth.TokenEndpointResponse,
  dpop: oauth.DPoPHandle | undefined,
): void {
  if (dpop && result.token_type !== 'dpop') {
    throw new SessionError(
      'INVALID_RESPONSE',
      'The provider answered with a token that is not DPoP-bound although DPoP was requested',
    )
  }
}

/**
 * A refreshed ID token must name the subject the session was signed in as (OpenID Connect Core 12.2).
 *
 * @example
 * ```ts
 * import type { Credentials } from '../session.js'
 *
 * declare const previous: Credentials // the session's credentials before the refresh
 * requireSameSubject({ iss: 'https://id.example.com', sub: 'ada', aud: 'shop', iat: 0, exp: 60 }, previous)
 * ```
 */
export function requireSameSubject(claims: oauth.IDToken, previous: Credentials): void {
  const before = typeof previous.claims?.sub === 'string' ? previous.claims.sub : previous.subject
  if (before !== undefined && claims.sub !== before) {
    throw new SessionError('INVALID_RESPONSE', 'The refreshed ID token names another subject')
  }
}
