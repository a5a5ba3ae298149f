/** An OpenID Connect refresh: the refresh-token grant, DPoP-bound where the session is, its new ID token checked. */
import * as oauth from 'oauth4webapi'
import type { MethodContext } from '../authMethod.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { toSessionErrorFromOAuth } from './oauthErrors.js'
import { type RelyingParty, withDPoPNonceRetry } from './relyingParty.js'
import { requireBoundToken, requireSameSubject, toCredentials } from './tokenResponse.js'

/**
 * `refresh()`: new credentials for the session's refresh token; a refusal is `SESSION_EXPIRED`,
 * other failures `REFRESH_FAILED`.
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 * import type { Credentials } from '../session.js'
 * import type { RelyingParty } from './relyingParty.js'
 *
 * declare const rp: RelyingParty
 * declare const ctx: MethodContext // what a sign-in method is called with
 * declare const current: Credentials // the session's current tokens
 * const next = await refreshTokens(rp, current, ctx)
 * ```
 */
export async function refreshTokens(
  rp: RelyingParty,
  credentials: Credentials,
  ctx: MethodContext,
): Promise<Credentials> {
  const { client, clientAuth, http } = rp
  if (!credentials.refreshToken) throw new SessionError('SESSION_EXPIRED', 'There is no refresh token')
  try {
    const as = await rp.authorizationServer(ctx)
    const dpop =
      rp.useDPoP && credentials.tokenType?.toLowerCase() === 'dpop'
        ? rp.dpopFor(await ctx.sessionKey())
        : undefined
    const result = await withDPoPNonceRetry(async () => {
      const response = await oauth.refreshTokenGrantRequest(
        as,
        client,
        clientAuth,
        credentials.refreshToken as string,
        {
          ...http(ctx),
          ...(dpop ? { DPoP: dpop } : {}),
        },
      )
      // oauth4webapi checks a new ID token's iss, aud, exp and iat; its signature is ours to
      // check, as at sign-in (OpenID Connect Core 12.2).
      const processed = await oauth.processRefreshTokenResponse(as, client, response)
      if (processed.id_token) await oauth.validateApplicationLevelSignature(as, response, http(ctx))
      return processed
    })
    requireBoundToken(result, dpop)
    const claims = result.id_token ? oauth.getValidatedIdTokenClaims(result) : undefined
    if (claims) requireSameSubject(claims, credentials)
    return toCredentials(result, ctx, claims)
  } catch (error) {
    throw toSessionErrorFromOAuth(error, 'REFRESH_FAILED', 'The refresh failed', {
      rejection: 'SESSION_EXPIRED',
    })
  }
}
