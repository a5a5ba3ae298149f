/** Device access for an `oidc()` method: its access endpoint, called with the session's token and DPoP proof. */
import * as oauth from 'oauth4webapi'
import { SessionError } from '../SessionError.js'
import { accessEndpointCapability, type ResourceRequest } from './accessEndpoint.js'
import { toSessionErrorFromOAuth } from './oauthErrors.js'
import { isLoopback, type RelyingParty, withDPoPNonceRetry } from './relyingParty.js'

/** A request to a resource of the provider's (the access endpoint), with the session's token and proof. */
function resourceRequest(rp: RelyingParty): ResourceRequest {
  const { http } = rp
  return async (method, url, credentials, ctx) => {
    const dpop =
      rp.useDPoP && credentials.tokenType?.toLowerCase() === 'dpop'
        ? rp.dpopFor(await ctx.sessionKey())
        : undefined
    try {
      return await withDPoPNonceRetry(() =>
        oauth.protectedResourceRequest(credentials.accessToken, method, url, new Headers(), null, {
          ...http(ctx),
          [oauth.customFetch]: (input, init) => ctx.fetch(input, init as RequestInit),
          ...(dpop ? { DPoP: dpop } : {}),
        }),
      )
    } catch (error) {
      if (error instanceof oauth.WWWAuthenticateChallengeError)
        throw new SessionError('SESSION_EXPIRED', 'The access endpoint refused the access token', {
          cause: error,
        })
      throw toSessionErrorFromOAuth(error, 'NETWORK', 'The access endpoint could not be reached')
    }
  }
}

/**
 * `listAccess` and `revokeAccess` on the method's `accessEndpoint`, or nothing without one. The
 * endpoint must use https, or be on loopback where the issuer may.
 *
 * @example
 * ```ts
 * import type { RelyingParty } from './relyingParty.js'
 *
 * declare const rp: RelyingParty
 * const capability = oidcDeviceAccess(rp, 'https://id.example.com/account/access')
 * ```
 */
export function oidcDeviceAccess(
  rp: RelyingParty,
  accessEndpoint: string | undefined,
): ReturnType<typeof accessEndpointCapability> | undefined {
  if (accessEndpoint === undefined) return undefined
  const endpoint = new URL(accessEndpoint)
  if (endpoint.protocol !== 'https:' && !(rp.insecure && isLoopback(endpoint))) {
    throw new SessionError(
      'INVALID_PARAMS',
      'The access endpoint must use https (or be on loopback, like the issuer)',
    )
  }
  return accessEndpointCapability(endpoint, resourceRequest(rp))
}
