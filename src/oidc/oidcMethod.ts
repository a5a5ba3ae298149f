/**
 * OpenID Connect redirect sign-in (authorization code + PKCE) with DPoP, built on oauth4webapi:
 * discovery, PKCE, state, nonce, ID-token validation and DPoP proofs are all oauth4webapi's.
 */
import * as oauth from 'oauth4webapi'
import type { AuthMethod, MethodContext } from '../authMethod.js'
import { abortAfter } from '../environment/Environment.js'
import type { SessionKey } from '../keys/SessionKey.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { memoryStorage } from '../storage/memoryStorage.js'
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { webStorage } from '../storage/webStorage.js'
import { accessEndpointCapability, type ResourceRequest } from './accessEndpoint.js'
import { toSessionErrorFromOAuth } from './oauthErrors.js'

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
 * What `extraParams` may not set: every parameter the request builder sets (overriding `state`,
 * `nonce` or PKCE would defeat them, `code_challenge_method=plain` downgrades PKCE), plus those
 * that replace or re-route the request as a whole (a request object or `request_uri` carries its
 * own redirect_uri, state and challenge; another `response_mode` sends the code where this method
 * does not read it). `scope` has its own option, which keeps `openid` in the caller's sight.
 */
const RESERVED_PARAMS: ReadonlySet<string> = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'dpop_jkt',
  'request',
  'request_uri',
  'response_mode',
])

/** Refuses reserved names in any letter case; the message names the parameter, never its value. */
function refuseReservedParams(params: Record<string, string> | undefined, where: string): void {
  for (const name of Object.keys(params ?? {})) {
    if (RESERVED_PARAMS.has(name.toLowerCase())) {
      throw new SessionError(
        'INVALID_PARAMS',
        `${where} may not set "${name}": the OpenID Connect method sets it itself`,
      )
    }
  }
}

interface PendingAuthorization {
  codeVerifier: string
  nonce: string
  redirectUri: string
  createdAt: number
  dpopJkt?: string
  /** Who the request went to: checked again on the way back, whatever the storage key says. */
  issuer?: string
  clientId?: string
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

function defaultRedirectStorage(): StorageAdapter {
  try {
    if (typeof sessionStorage !== 'undefined') return webStorage(sessionStorage)
  } catch {
    // sessionStorage can throw in sandboxed frames.
  }
  return memoryStorage()
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
export function oidc(options: OidcOptions): AuthMethod<OidcSignInParams | undefined> {
  const issuer = new URL(options.issuer)
  const insecure = options.allowInsecureLoopback === true && LOOPBACK.has(issuer.hostname)
  if (issuer.protocol !== 'https:' && !insecure) {
    throw new SessionError(
      'INVALID_RESPONSE',
      'The issuer must use https (plain http is allowed only for a loopback issuer with allowInsecureLoopback)',
    )
  }
  refuseReservedParams(options.extraParams, 'oidc({ extraParams })')
  const client: oauth.Client = { client_id: options.clientId }
  const clientAuth = oauth.None()
  const redirectStorage = options.redirectStorage ?? defaultRedirectStorage()
  const useDPoP = options.dpop !== false
  const scope = options.scope ?? 'openid email offline_access'
  const redirectUri = new URL(options.redirectUri)
  const redirectTimeoutMs = (options.redirectTimeoutSeconds ?? 600) * 1000
  if (!(redirectTimeoutMs > 0) || !Number.isFinite(redirectTimeoutMs)) {
    throw new SessionError('INVALID_PARAMS', 'redirectTimeoutSeconds must be a positive number')
  }
  let discovered: Promise<oauth.AuthorizationServer> | undefined
  const dpopHandles = new Map<string, oauth.DPoPHandle>()

  const http = (ctx: MethodContext) => ({
    [oauth.customFetch]: ctx.fetch,
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
    signal: ctx.signal,
  })

  const authorizationServer = (ctx: MethodContext) => {
    discovered ??= (async () => {
      const response = await oauth.discoveryRequest(issuer, { ...http(ctx), algorithm: 'oidc' })
      return oauth.processDiscoveryResponse(issuer, response)
    })()
    discovered.catch(() => {
      discovered = undefined
    })
    return discovered
  }

  /** One handle per key: oauth4webapi tracks the provider's DPoP nonces on it. */
  const dpopFor = (key: SessionKey) => {
    let handle = dpopHandles.get(key.id)
    if (!handle) {
      handle = oauth.DPoP(client, { privateKey: key.privateKey, publicKey: key.publicKey })
      dpopHandles.set(key.id, handle)
    }
    return handle
  }

  const methodId = options.id ?? 'oidc'

  /** A request to a resource of the provider's (the access endpoint), with the session's token and proof. */
  const resourceRequest: ResourceRequest = async (method, url, credentials, ctx) => {
    const dpop =
      useDPoP && credentials.tokenType?.toLowerCase() === 'dpop' ? dpopFor(await ctx.sessionKey()) : undefined
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
  let access: ReturnType<typeof accessEndpointCapability> | undefined
  if (options.accessEndpoint !== undefined) {
    const endpoint = new URL(options.accessEndpoint)
    if (endpoint.protocol !== 'https:' && !(insecure && LOOPBACK.has(endpoint.hostname))) {
      throw new SessionError(
        'INVALID_PARAMS',
        'The access endpoint must use https (or be on loopback, like the issuer)',
      )
    }
    access = accessEndpointCapability(endpoint, resourceRequest)
  }
  // Namespaced by method: with two oidc() methods on one callback URL, a state only ever finds
  // the entry of the method that issued it (no mix-up of codes and verifiers between providers).
  // Both parts are encoded: the state comes from the callback URL, so it must not reach another
  // method's entry through a ':' in it.
  const storageKey = (ctx: MethodContext, state: string) =>
    `${ctx.storageKeyPrefix}:${ctx.appId}:oidc:${encodeURIComponent(methodId)}:${encodeURIComponent(state)}`

  /** Runs a token request, answering one `use_dpop_nonce` challenge. */
  async function withDPoPNonceRetry<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt()
    } catch (error) {
      if (oauth.isDPoPNonceError(error)) return attempt()
      throw error
    }
  }

  const toCredentials = (
    result: oauth.TokenEndpointResponse,
    ctx: MethodContext,
    claims: oauth.IDToken | undefined,
  ): Credentials => {
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
            claims: { ...claims },
          }
        : {}),
    }
  }

  return {
    id: methodId,
    ...access,

    async signIn(params, ctx) {
      // Before anything else: a refused request leaves nothing behind and asks the provider nothing.
      refuseReservedParams(params?.extraParams, 'signIn({ extraParams })')
      try {
        const as = await authorizationServer(ctx)
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
        query.set('scope', scope)
        query.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier))
        query.set('code_challenge_method', 'S256')
        query.set('state', state)
        query.set('nonce', nonce)
        let dpopJkt: string | undefined
        if (useDPoP) {
          // Binding at authorize time makes the code itself useless to anyone without the key.
          dpopJkt = await dpopFor(await ctx.sessionKey()).calculateThumbprint()
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
          issuer: issuer.href,
          clientId: options.clientId,
        }
        await redirectStorage.set(storageKey(ctx, state), JSON.stringify(pending))
        // The client keeps the state with the pending redirect: only a callback carrying it is ours.
        return { type: 'redirect', url: url.href, state }
      } catch (error) {
        throw toSessionErrorFromOAuth(error, 'SIGN_IN_FAILED', 'Could not start the OpenID Connect sign-in')
      }
    },

    isRedirectCallback(url) {
      return (
        url.origin === redirectUri.origin &&
        url.pathname === redirectUri.pathname &&
        url.searchParams.has('state') &&
        (url.searchParams.has('code') || url.searchParams.has('error'))
      )
    },

    async completeRedirect(url, ctx) {
      const state = url.searchParams.get('state')
      if (!state) throw new SessionError('REDIRECT_STATE_MISMATCH', 'The callback carries no state')
      const key = storageKey(ctx, state)
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
      if (pending.issuer !== issuer.href || pending.clientId !== options.clientId) {
        throw new SessionError(
          'REDIRECT_STATE_MISMATCH',
          'The callback belongs to another provider or client',
        )
      }
      // The client gives up on a redirect after its timeout; a callback that comes later is not
      // completed behind its back (and an authorization code that old is stale anyway).
      if (!(ctx.now() - pending.createdAt <= redirectTimeoutMs)) {
        throw new SessionError(
          'REDIRECT_STATE_MISMATCH',
          `The callback came more than ${redirectTimeoutMs / 1000} s after the sign-in started`,
        )
      }
      try {
        const as = await authorizationServer(ctx)
        const callbackParams = oauth.validateAuthResponse(as, client, url, state)
        const dpop = useDPoP ? dpopFor(await ctx.sessionKey()) : undefined
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
        throw toSessionErrorFromOAuth(
          error,
          'INVALID_RESPONSE',
          'Completing the OpenID Connect sign-in failed',
        )
      }
    },

    async abandonRedirect(state, ctx) {
      // Rejects only when the redirect storage itself fails: the caller reports it.
      await redirectStorage.remove(storageKey(ctx, state))
    },

    async refresh(credentials, ctx) {
      if (!credentials.refreshToken) throw new SessionError('SESSION_EXPIRED', 'There is no refresh token')
      try {
        const as = await authorizationServer(ctx)
        const dpop =
          useDPoP && credentials.tokenType?.toLowerCase() === 'dpop'
            ? dpopFor(await ctx.sessionKey())
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
    },

    async signOut(credentials, ctx) {
      const token = credentials.refreshToken ?? credentials.accessToken
      const as = await authorizationServer(ctx)
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
    },

    async endSessionUrl(credentials, ctx) {
      const as = await authorizationServer(ctx)
      if (!as.end_session_endpoint) return null
      const url = new URL(as.end_session_endpoint)
      url.searchParams.set('client_id', options.clientId)
      if (credentials.idToken) url.searchParams.set('id_token_hint', credentials.idToken)
      if (options.postLogoutRedirectUri)
        url.searchParams.set('post_logout_redirect_uri', options.postLogoutRedirectUri)
      return url.href
    },
  }
}

/**
 * A provider that answers Bearer when DPoP was asked for would turn a key-bound session into a
 * bearer one without anyone noticing (RFC 9449 section 5: the client must check `token_type`).
 */
function requireBoundToken(result: oauth.TokenEndpointResponse, dpop: oauth.DPoPHandle | undefined): void {
  if (dpop && result.token_type !== 'dpop') {
    throw new SessionError(
      'INVALID_RESPONSE',
      'The provider answered with a token that is not DPoP-bound although DPoP was requested',
    )
  }
}

/** A refreshed ID token must name the subject the session was signed in as (OpenID Connect Core 12.2). */
function requireSameSubject(claims: oauth.IDToken, previous: Credentials): void {
  const before = typeof previous.claims?.sub === 'string' ? previous.claims.sub : previous.subject
  if (before !== undefined && claims.sub !== before) {
    throw new SessionError('INVALID_RESPONSE', 'The refreshed ID token names another subject')
  }
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
