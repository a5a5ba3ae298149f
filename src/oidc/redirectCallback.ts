/** The end of an OpenID Connect sign-in: the callback recognised, its state claimed once, the code exchanged. */
import * as oauth from 'oauth4webapi'
import type { MethodContext } from '../authMethod.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import type { PendingAuthorization } from './authorizationRequest.js'
import { toSessionErrorFromOAuth } from './oauthErrors.js'
import { type RelyingParty, withDPoPNonceRetry } from './relyingParty.js'
import { requireBoundToken, toCredentials } from './tokenResponse.js'

/**
 * True for a URL on the method's redirect URI that carries a state and a code or an error.
 *
 * @example
 * ```ts
 * import type { RelyingParty } from './relyingParty.js'
 *
 * declare const rp: RelyingParty
 * isCallbackUrl(rp, new URL(location.href))
 * ```
 */
export function isCallbackUrl(rp: RelyingParty, url: URL): boolean {
  const { redirectUri } = rp
  return (
    url.origin === redirectUri.origin &&
    url.pathname === redirectUri.pathname &&
    url.searchParams.has('state') &&
    (url.searchParams.has('code') || url.searchParams.has('error'))
  )
}

/** Removes the callback's parameters from the address bar, so a reload or a shared link does not replay them. */
function stripCallbackParams(url: URL): void {
  if (typeof history === 'undefined' || typeof location === 'undefined' || location.href !== url.href) return
  const clean = new URL(url.href)
  for (const name of ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri']) {
    clean.searchParams.delete(name)
  }
  history.replaceState(history.state, '', clean.href)
}

/** The sign-in the callback's state names, taken out of the redirect storage (single use) and checked. */
async function claimPending(
  rp: RelyingParty,
  url: URL,
  ctx: MethodContext,
): Promise<{ state: string; pending: PendingAuthorization }> {
  const { redirectStorage, redirectTimeoutMs } = rp
  const state = url.searchParams.get('state')
  if (!state) throw new SessionError('REDIRECT_STATE_MISMATCH', 'The callback carries no state')
  const key = rp.storageKey(ctx, state)
  const stored = await redirectStorage.get(key)
  if (!stored) {
    throw new SessionError('REDIRECT_STATE_MISMATCH', 'The callback state is unknown or was already used')
  }
  // Single use, before anything else can fail: a replayed callback URL finds nothing.
  await redirectStorage.remove(key)
  stripCallbackParams(url)
  let pending: PendingAuthorization
  try {
    pending = JSON.parse(stored) as PendingAuthorization
  } catch (error) {
    throw new SessionError('REDIRECT_STATE_MISMATCH', 'The stored redirect state is unreadable', {
      cause: error,
    })
  }
  if (pending.issuer !== rp.issuer.href || pending.clientId !== rp.options.clientId) {
    throw new SessionError('REDIRECT_STATE_MISMATCH', 'The callback belongs to another provider or client')
  }
  // The client gives up on a redirect after its timeout; a callback that comes later is not
  // completed behind its back (and an authorization code that old is stale anyway).
  if (!(ctx.now() - pending.createdAt <= redirectTimeoutMs)) {
    throw new SessionError(
      'REDIRECT_STATE_MISMATCH',
      `The callback came more than ${redirectTimeoutMs / 1000} s after the sign-in started`,
    )
  }
  return { state, pending }
}

/**
 * `completeRedirect()`: claims the callback's state, exchanges the code (PKCE, DPoP) and validates
 * the ID token, its signature included.
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 * import type { RelyingParty } from './relyingParty.js'
 *
 * declare const rp: RelyingParty
 * declare const ctx: MethodContext // what a sign-in method is called with
 * const credentials = await completeSignIn(rp, new URL(location.href), ctx)
 * ```
 */
export async function completeSignIn(rp: RelyingParty, url: URL, ctx: MethodContext): Promise<Credentials> {
  const { client, clientAuth, http } = rp
  const { state, pending } = await claimPending(rp, url, ctx)
  try {
    const as = await rp.authorizationServer(ctx)
    const callbackParams = oauth.validateAuthResponse(as, client, url, state)
    const dpop = rp.useDPoP ? rp.dpopFor(await ctx.sessionKey()) : undefined
    const result = await withDPoPNonceRetry(async () => {
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        callbackParams,
        pending.redirectUri,
        pending.codeVerifier,
        { ...http(ctx), ...(dpop ? { DPoP: dpop } : {}) },
      )
      const processed = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: pending.nonce,
        requireIdToken: true,
      })
      // Also check the ID token's signature against the provider's JWKS (not only TLS).
      await oauth.validateApplicationLevelSignature(as, response, http(ctx))
      return processed
    })
    requireBoundToken(result, dpop)
    return toCredentials(result, ctx, oauth.getValidatedIdTokenClaims(result))
  } catch (error) {
    throw toSessionErrorFromOAuth(error, 'INVALID_RESPONSE', 'Completing the OpenID Connect sign-in failed')
  }
}
