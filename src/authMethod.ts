/** The plug-in contract for sign-in methods (OIDC redirect, wallet, password, anything else). */
import type { AccessGrantInfoPage } from './accessGrant.js'
import type { Environment } from './environment/Environment.js'
import type { SessionKey } from './keys/SessionKey.js'
import type { Credentials } from './session.js'

/**
 * What a method's `signIn` returns when the user must leave the page (OIDC redirect).
 * The client stores a pending-redirect marker, enters `oidcRedirectPending` and navigates to `url`.
 *
 * @example
 * ```ts
 * const sso: AuthMethod = {
 *   id: 'sso',
 *   async signIn() {
 *     const state = crypto.randomUUID()
 *     return { type: 'redirect', url: `https://sso.example.com/authorize?client_id=shop&state=${state}`, state }
 *   },
 * }
 * ```
 */
export interface RedirectRequest {
  type: 'redirect'
  url: string | URL
  /**
   * The request's `state`. The client keeps it with the pending redirect: only a callback that
   * carries it is completed, and only by the method that started the redirect (no mix-up between
   * two providers on one callback URL). A method that omits it cannot be told apart on callback.
   */
  state?: string
}

/**
 * What the client hands to every method call.
 *
 * @example
 * ```ts
 * import { type Credentials, SessionError } from 'tessera-session'
 *
 * async function refresh(credentials: Credentials, ctx: MethodContext): Promise<Credentials> {
 *   const res = await ctx.fetch('/auth/refresh', {
 *     method: 'POST',
 *     headers: { 'Content-Type': 'application/json' },
 *     body: JSON.stringify({ refresh_token: credentials.refreshToken }),
 *     signal: ctx.signal, // aborted on sign-out, destroy or a newer operation
 *   })
 *   if (res.status === 400 || res.status === 401) throw new SessionError('SESSION_EXPIRED', 'Refresh token rejected')
 *   if (!res.ok) throw new SessionError('NETWORK', `The refresh answered ${res.status}`) // retried with backoff
 *   const body = await res.json()
 *   return { accessToken: body.access_token, refreshToken: body.refresh_token }
 * }
 * ```
 */
export interface MethodContext {
  appId: string
  storageKeyPrefix: string
  /** The client's `fetch` option, or the global fetch. */
  fetch: typeof fetch
  /** Milliseconds since the epoch, from the client's clock (`environment.now()`). */
  now(): number
  /** The client's clock and timers: use them for every timeout, so tests can drive time. */
  environment: Environment
  /** Aborted when the operation is cancelled (sign-out, destroy, a newer operation). */
  signal: AbortSignal
  /**
   * The session's non-extractable key: during `signIn` a fresh key for the new session, afterwards
   * the key of the current session. Rejects with `KEY_UNAVAILABLE` where WebCrypto is missing.
   */
  sessionKey(): Promise<SessionKey>
}

/**
 * Options for {@link AuthMethod.getIdToken} and `client.getIdToken()`.
 *
 * @example
 * ```ts
 * const options: IdTokenOptions = { ttlSeconds: 300, customClaims: { aud: 'https://api.example.com' } }
 * ```
 */
export interface IdTokenOptions {
  /** Lifetime of the token; default 300. */
  ttlSeconds?: number
  customClaims?: Record<string, unknown>
}

/**
 * A sign-in method. `id` names it in `signIn(params, { method })` and in `session.method`.
 *
 * @example
 * ```ts
 * import { createSessionClient, SessionError } from 'tessera-session'
 *
 * const password: AuthMethod<{ user: string; password: string }> = {
 *   id: 'password',
 *   async signIn({ user, password }, ctx) {
 *     const res = await ctx.fetch('/login', {
 *       method: 'POST',
 *       headers: { 'Content-Type': 'application/json' },
 *       body: JSON.stringify({ user, password }),
 *       signal: ctx.signal,
 *     })
 *     if (!res.ok) throw new SessionError('SIGN_IN_FAILED', 'Wrong user or password')
 *     const body = await res.json()
 *     return { accessToken: body.access_token, refreshToken: body.refresh_token }
 *   },
 * }
 * const client = createSessionClient({ appId: 'shop', methods: [password] })
 * await client.signIn({ user: 'ada', password: 'correct horse' })
 * ```
 */
export interface AuthMethod<P = unknown, Id extends string = string> {
  /** Names the method in `signIn(params, { method })`; a literal type lets the client check it. */
  id: Id
  signIn(params: P, ctx: MethodContext): Promise<Credentials | RedirectRequest>
  /** True when `url` is this method's redirect callback (for automatic completion on page load). */
  isRedirectCallback?(url: URL): boolean
  completeRedirect?(url: URL, ctx: MethodContext): Promise<Credentials>
  /**
   * Forget what a redirect that will never complete left behind (PKCE verifier, state, nonce):
   * called on sign-out, on a newer sign-in and when the redirect times out. Best effort.
   */
  abandonRedirect?(state: string, ctx: MethodContext): Promise<void>
  /** Throw `SessionError('SESSION_EXPIRED')` when the server rejects the refresh credential. */
  refresh?(credentials: Credentials, ctx: MethodContext): Promise<Credentials>
  /** Best effort; the client has already cleared local state when this runs. */
  signOut?(credentials: Credentials, ctx: MethodContext): Promise<void>
  /** The provider's logout page (OIDC RP-initiated logout), for `signOut({ redirect: true })`. */
  endSessionUrl?(credentials: Credentials, ctx: MethodContext): Promise<string | null>
  /** A method-issued ID token; otherwise the client signs one with the session key. */
  getIdToken?(credentials: Credentials, options: IdTokenOptions, ctx: MethodContext): Promise<string>
  /**
   * Adds authorization to a resource request (for example a DPoP proof). The default sets
   * `Authorization: <tokenType> <accessToken>`. `nonce` is the resource server's latest DPoP nonce.
   */
  authorizeRequest?(
    request: { method: string; url: string; headers: Headers; nonce?: string },
    credentials: Credentials,
    ctx: MethodContext,
  ): Promise<void>
  /**
   * Device access: one page of the credentials with access to the signed-in account (OMS's
   * `listAccess`). `pageSize` is already checked; `cursor` is the previous page's `nextCursor`.
   * A method without it makes `client.listAccess()` fail with `NOT_SUPPORTED`.
   */
  listAccess?(
    credentials: Credentials,
    page: { pageSize: number; cursor?: string },
    ctx: MethodContext,
  ): Promise<AccessGrantInfoPage>
  /**
   * Device access: cuts off one credential, so that its next refresh is refused. Resolves once the
   * provider confirmed. A method without it makes `client.revokeAccess()` fail with `NOT_SUPPORTED`.
   */
  revokeAccess?(
    credentials: Credentials,
    target: { targetCredentialId: string },
    ctx: MethodContext,
  ): Promise<void>
}

/**
 * True when a method's `signIn` result asks for a redirect.
 *
 * @example
 * ```ts
 * async function start(method: AuthMethod, ctx: MethodContext) {
 *   const result = await method.signIn(undefined, ctx)
 *   if (isRedirectRequest(result)) location.assign(result.url)
 *   else return result // credentials
 * }
 * ```
 */
export function isRedirectRequest(value: unknown): value is RedirectRequest {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'redirect'
}
