/** Leaving the provider at sign-out: the refresh token revoked, and the RP-initiated logout URL. */
import * as oauth from 'oauth4webapi'
import type { MethodContext } from '../authMethod.js'
import { abortAfter } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { toSessionErrorFromOAuth } from './oauthErrors.js'
import type { RelyingParty } from './relyingParty.js'

/**
 * `signOut()`: revokes the refresh token (else the access token) where the provider has a
 * revocation endpoint, bounded by `revocationTimeoutMs`.
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
 * await revokeTokens(rp, current, ctx)
 * ```
 */
export async function revokeTokens(
  rp: RelyingParty,
  credentials: Credentials,
  ctx: MethodContext,
): Promise<void> {
  const { options, client, clientAuth, http } = rp
  const token = credentials.refreshToken ?? credentials.accessToken
  const as = await rp.authorizationServer(ctx)
  if (!as.revocation_endpoint) return
  const bounded = abortAfter(
    ctx.environment,
    options.revocationTimeoutMs ?? 3000,
    new SessionError('TIMEOUT', 'Revoking the refresh token timed out'),
    ctx.signal,
  )
  try {
    const response = await oauth.revocationRequest(as, client, clientAuth, token, {
      ...http(ctx),
      signal: bounded.signal,
    })
    await oauth.processRevocationResponse(response)
  } catch (error) {
    throw toSessionErrorFromOAuth(error, 'NETWORK', 'Revoking the refresh token failed')
  } finally {
    bounded.dispose()
  }
}

/**
 * `endSessionUrl()`: the provider's logout URL (OpenID Connect RP-Initiated Logout), or null when
 * it has none.
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
 * const url = await endSessionUrl(rp, current, ctx)
 * if (url) location.assign(url)
 * ```
 */
export async function endSessionUrl(
  rp: RelyingParty,
  credentials: Credentials,
  ctx: MethodContext,
): Promise<string | null> {
  const { options } = rp
  const as = await rp.authorizationServer(ctx)
  if (!as.end_session_endpoint) return null
  const url = new URL(as.end_session_endpoint)
  url.searchParams.set('client_id', options.clientId)
  if (credentials.idToken) url.searchParams.set('id_token_hint', credentials.idToken)
  if (options.postLogoutRedirectUri)
    url.searchParams.set('post_logout_redirect_uri', options.postLogoutRedirectUri)
  return url.href
}
