/** The start of an OpenID Connect sign-in: the authorization request, and the secrets kept for its callback. */
import * as oauth from 'oauth4webapi'
import type { MethodContext, RedirectRequest } from '../authMethod.js'
import { SessionError } from '../SessionError.js'
import { toSessionErrorFromOAuth } from './oauthErrors.js'
import type { OidcSignInParams } from './oidcMethod.js'
import type { RelyingParty } from './relyingParty.js'
import { refuseReservedParams } from './reservedParams.js'

/**
 * What waits in the redirect storage, under the request's state, until its callback comes.
 *
 * @example
 * ```ts
 * const pending: PendingAuthorization = { codeVerifier: 'dBjftJeZ4CVP…', nonce: 'n-0S6_WzA2Mj', redirectUri: 'https://shop.example.com/', createdAt: 1_767_225_600_000 }
 * ```
 */
export interface PendingAuthorization {
  codeVerifier: string
  nonce: string
  redirectUri: string
  createdAt: number
  dpopJkt?: string
  /** Who the request went to: checked again on the way back, whatever the storage key says. */
  issuer?: string
  clientId?: string
}

/**
 * `signIn()`: builds the authorization request (PKCE, state, nonce, DPoP binding), keeps its
 * secrets for the callback and answers where to send the browser.
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 * import type { RelyingParty } from './relyingParty.js'
 *
 * declare const rp: RelyingParty
 * declare const ctx: MethodContext // what a sign-in method is called with
 * const { url } = await startSignIn(rp, { extraParams: { prompt: 'login' } }, ctx)
 * ```
 */
export async function startSignIn(
  rp: RelyingParty,
  params: OidcSignInParams | undefined,
  ctx: MethodContext,
): Promise<RedirectRequest> {
  const { options, redirectUri } = rp
  // Before anything else: a refused request leaves nothing behind and asks the provider nothing.
  refuseReservedParams(params?.extraParams, 'signIn({ extraParams })')
  try {
    const as = await rp.authorizationServer(ctx)
    if (!as.authorization_endpoint)
      throw new SessionError('INVALID_RESPONSE', 'The provider has no authorization endpoint')
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    const url = new URL(as.authorization_endpoint)
    const query = url.searchParams
    query.set('client_id', options.clientId)
    query.set('redirect_uri', redirectUri.href)
    query.set('response_type', 'code')
    query.set('scope', rp.scope)
    query.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier))
    query.set('code_challenge_method', 'S256')
    query.set('state', state)
    query.set('nonce', nonce)
    let dpopJkt: string | undefined
    if (rp.useDPoP) {
      // Binding at authorize time makes the code itself useless to anyone without the key.
      dpopJkt = await rp.dpopFor(await ctx.sessionKey()).calculateThumbprint()
      query.set('dpop_jkt', dpopJkt)
    }
    for (const [name, value] of Object.entries({ ...options.extraParams, ...params?.extraParams })) {
      query.set(name, value)
    }
    const pending: PendingAuthorization = {
      codeVerifier,
      nonce,
      redirectUri: redirectUri.href,
      createdAt: ctx.now(),
      ...(dpopJkt ? { dpopJkt } : {}),
      issuer: rp.issuer.href,
      clientId: options.clientId,
    }
    await rp.redirectStorage.set(rp.storageKey(ctx, state), JSON.stringify(pending))
    // The client keeps the state with the pending redirect: only a callback carrying it is ours.
    return { type: 'redirect', url: url.href, state }
  } catch (error) {
    throw toSessionErrorFromOAuth(error, 'SIGN_IN_FAILED', 'Could not start the OpenID Connect sign-in')
  }
}
