/**
 * OpenID Connect redirect sign-in (authorization code + PKCE) with DPoP, built on oauth4webapi:
 * discovery, PKCE, state, nonce, ID-token validation and DPoP proofs are all oauth4webapi's. This
 * file holds the options and the wiring; each step is a file of its own (relyingParty.ts,
 * authorizationRequest.ts, redirectCallback.ts, refreshGrant.ts, providerLogout.ts, oidcDeviceAccess.ts).
 */
import type { AuthMethod } from '../authMethod.js'
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { startSignIn } from './authorizationRequest.js'
import { oidcDeviceAccess } from './oidcDeviceAccess.js'
import { endSessionUrl, revokeTokens } from './providerLogout.js'
import { completeSignIn, isCallbackUrl } from './redirectCallback.js'
import { refreshTokens } from './refreshGrant.js'
import { relyingParty } from './relyingParty.js'

/**
 * Options of {@link oidc}.
 *
 * @example
 * ```ts
 * oidc({ issuer: 'https://id.example.com', clientId: 'shop', redirectUri: `${location.origin}/callback` })
 * ```
 */
export interface OidcOptions {
  /** Method id (`session.method`); default `oidc`. */
  id?: string
  issuer: string
  clientId: string
  redirectUri: string
  /** Default `openid email offline_access`. */
  scope?: string
  /** Bind tokens to the session's non-extractable key (RFC 9449). Default true. */
  dpop?: boolean
  /** Where the provider sends the browser after RP-initiated logout. */
  postLogoutRedirectUri?: string
  /**
   * Extra authorization request parameters (`prompt`, `audience`, `resource`, `ui_locales`…).
   * The parameters the method sets itself are refused with `SessionError('INVALID_PARAMS')`, in
   * any letter case: `client_id`, `redirect_uri`, `response_type`, `scope` (use the `scope`
   * option), `state`, `nonce`, `code_challenge`, `code_challenge_method`, `dpop_jkt`, and
   * `request`, `request_uri`, `response_mode`, which would replace or re-route the whole request.
   */
  extraParams?: Record<string, string>
  /** Where the PKCE verifier, state and nonce wait during the redirect. Default sessionStorage, memory outside a browser. */
  redirectStorage?: StorageAdapter
  /**
   * Allow plain http, only for a loopback issuer (127.0.0.1, localhost, [::1]) in tests and local
   * demos. Ignored for any other host. Default false.
   */
  allowInsecureLoopback?: boolean
  /** Bound on the revocation call at sign-out, in ms. Default 3000. */
  revocationTimeoutMs?: number
  /**
   * How long a started sign-in may wait for its callback, in seconds: an older callback is
   * refused with `REDIRECT_STATE_MISMATCH`. Default 600, the client's `redirectTimeoutSeconds`
   * default; keep the two equal.
   */
  redirectTimeoutSeconds?: number
  /**
   * Device access (`client.listAccess()`, `listAccessPages()`, `revokeAccess()`): the URL of an
   * endpoint that lists and revokes the account's grants, in the JSON contract of docs/devices.md
   * (OpenID has no standard for it). Called with the session's access token, DPoP-bound where the
   * session is. Without it the method offers no device access.
   */
  accessEndpoint?: string
}

/** Parameters of `client.signIn()` for this method. */
export interface OidcSignInParams {
  /**
   * Merged into the authorization request (for example `{ prompt: 'login', login_hint: 'ada' }`),
   * over the app-level `extraParams`. Reserved parameters are refused as there.
   */
  extraParams?: Record<string, string>
}

/**
 * The OpenID Connect method. `signIn()` sends the browser to the provider; the client completes
 * the flow on the way back (code exchange, ID-token validation, session from the claims) and
 * removes the callback parameters from the URL. With `dpop` (the default) both tokens are bound
 * to the session's non-extractable key: a token copied out of the page is useless.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 * import { oidc } from 'tessera-session/oidc'
 *
 * const client = createSessionClient({
 *   appId: 'shop',
 *   methods: [oidc({ issuer: 'https://id.example.com', clientId: 'shop', redirectUri: `${location.origin}/` })],
 * })
 * await client.signIn() // navigates to the provider
 * ```
 */
export function oidc<Id extends string = 'oidc'>(
  options: OidcOptions & { id?: Id },
): AuthMethod<OidcSignInParams | undefined, Id> {
  const rp = relyingParty(options)
  const access = oidcDeviceAccess(rp, options.accessEndpoint)
  return {
    id: rp.methodId as Id,
    ...access,
    signIn: (params, ctx) => startSignIn(rp, params, ctx),
    isRedirectCallback: (url) => isCallbackUrl(rp, url),
    completeRedirect: (url, ctx) => completeSignIn(rp, url, ctx),
    async abandonRedirect(state, ctx) {
      // Rejects only when the redirect storage itself fails: the caller reports it.
      await rp.redirectStorage.remove(rp.storageKey(ctx, state))
    },
    refresh: (credentials, ctx) => refreshTokens(rp, credentials, ctx),
    signOut: (credentials, ctx) => revokeTokens(rp, credentials, ctx),
    endSessionUrl: (credentials, ctx) => endSessionUrl(rp, credentials, ctx),
  }
}
