/**
 * A sign-in method for an app's own token endpoints in Torus's protocol (`AuthSessionManager`'s
 * `apiClientConfig`): tokens arrive from the app's auth service, refresh rotates through the
 * sessions endpoint (which also returns encrypted session data), logout goes to the logout endpoint.
 */
import type { AuthMethod, MethodContext } from '../authMethod.js'
import type { SessionClient } from '../client/SessionClient.js'
import { SessionError, toSessionError } from '../SessionError.js'
import type { Credentials, Session } from '../session.js'
import { type TokenSet, tokenSetFields } from './credentialsFromTokenSet.js'
import { postTokens, refreshAtEndpoint } from './sessionsEndpoint.js'
import { decryptTorusSessionData } from './torusSessionData.js'

/**
 * Options of {@link tokenEndpoints}. Paths are joined to `baseURL` as Torus joins them.
 *
 * @example
 * ```ts
 * const options: TokenEndpointsOptions = { baseURL: 'https://auth.example.com', sessionsEndpoint: '/v1/auth/session' }
 * ```
 */
export interface TokenEndpointsOptions {
  /** Method id (`session.method`); default `tokens`. */
  id?: string
  baseURL: string
  /**
   * POST `{ refresh_token }` with `Authorization: Bearer <access token>` →
   * `{ access_token, refresh_token, session_data }`; 400/401/403 means the session is over.
   * Default `/v1/auth/session` (Torus's).
   */
  sessionsEndpoint?: string
  /**
   * Where routine refreshes go, for a backend that splits a plain refresh from the sessions
   * endpoint. Same request and answer (`session_data` optional). Default: `sessionsEndpoint`.
   * {@link TokenEndpointsMethod.authorize} always refreshes through `sessionsEndpoint`.
   */
  refreshEndpoint?: string
  /** POST `{ refresh_token }` with the access token, best effort. Default `/v1/auth/logout`. */
  logoutEndpoint?: string
  /** `fetch`'s credentials mode; `include` for a backend that keeps the refresh token in an HttpOnly cookie. Default `same-origin`. */
  credentials?: RequestCredentials
  /**
   * Turns `session_data` into the app's data. Default: Torus's ECIES scheme keyed by the session id
   * ({@link decryptTorusSessionData}).
   */
  decryptSessionData?: (sessionId: string, sessionData: string) => Promise<unknown>
}

/**
 * What {@link TokenEndpointsMethod.authorize} restores: the session and its decrypted session data.
 *
 * @example
 * ```ts
 * const endpoints = tokenEndpoints({ baseURL: 'https://auth.example.com' })
 * const restored: AuthorizeResult<{ userId: string }> | null = await endpoints.authorize(client)
 * ```
 */
export interface AuthorizeResult<T = unknown> {
  session: Session
  /** The decrypted `session_data`; null when the server sent none or the session has no session id. */
  data: T | null
}

/**
 * The method {@link tokenEndpoints} returns: an {@link AuthMethod} whose `signIn` takes the token
 * set, plus Torus's `authorize()`.
 *
 * @example
 * ```ts
 * const endpoints: TokenEndpointsMethod = tokenEndpoints({ baseURL: 'https://auth.example.com' })
 * ```
 */
export interface TokenEndpointsMethod<Id extends string = string> extends AuthMethod<TokenSet, Id> {
  /**
   * Torus's `authorize()` on page load: waits for the stored session, refreshes it through the
   * sessions endpoint and returns it with its decrypted session data. Resolves null when there is
   * no session of this method, or the server rejected the refresh (sign in again).
   *
   * Unlike Torus it never wipes the session on a network failure: it rejects with the refresh's
   * error (`NETWORK`, …) and the client keeps the tokens and retries; call it again later. Session
   * data that fails to decrypt rejects with `INVALID_SESSION` and leaves the tokens alone.
   */
  authorize<T = unknown>(
    client: Pick<SessionClient, 'ready' | 'getStatus' | 'getSession' | 'refresh'>,
  ): Promise<AuthorizeResult<T> | null>
}

/** The last `session_data` this tab received, tied to the access token that came with it. */
interface ReceivedSessionData {
  accessToken: string
  /** Only the sessions endpoint's answer counts as the session data (a split refresh endpoint sends none). */
  fromSessionsEndpoint: boolean
  sessionId: string | undefined
  sessionData: string | undefined
}

/** One method's settings, and what it remembers between calls. */
interface TokenEndpointsState {
  id: string
  sessionsUrl: string
  refreshUrl: string
  logoutUrl: string
  credentialsMode: RequestCredentials
  decrypt: (sessionId: string, sessionData: string) => Promise<unknown>
  /** Kept in memory only, like Torus: session data never reaches tessera's storage. */
  received: ReceivedSessionData | null
  /** While an authorize() waits, refreshes go to the sessions endpoint so they bring session data. */
  authorizing: number
}

/** What {@link TokenEndpointsMethod.authorize} reads of the client. */
type AuthorizingClient = Pick<SessionClient, 'ready' | 'getStatus' | 'getSession' | 'refresh'>

/**
 * The client's `refresh()` reports `SESSION_EXPIRED` once the token has run out, also when the
 * refresh failed on the network and the session (with its refresh token) is kept: its `cause` says
 * which. Only a real rejection, or no session at all, means "sign in again" (null).
 */
function whyNotRefreshed(error: unknown): SessionError | null {
  if (!(error instanceof SessionError)) return toSessionError(error, 'REFRESH_FAILED', 'The refresh failed')
  if (error.code === 'NO_SESSION') return null
  if (error.code !== 'SESSION_EXPIRED') return error
  const cause = error.cause
  if (cause instanceof SessionError && cause.code !== 'SESSION_EXPIRED') return cause
  return null
}

function join(baseURL: string, path: string): string {
  return `${baseURL.replace(/\/+$/, '')}${path}`
}

/**
 * Torus's `AuthSessionManager` as a tessera method. Sign in with the token set the app's auth
 * service hands over (`client.signIn(tokenSet, { method: 'tokens' })`, or
 * `client.setTokens(credentialsFromTokenSet(tokenSet), { method: 'tokens' })`); a set without an
 * access token but with a refresh token is refreshed at once. The client then refreshes through
 * the endpoint before expiry (single-flight, across tabs), and `signOut()` calls the logout endpoint.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 * import { tokenEndpoints } from 'tessera-session/endpoints'
 *
 * const endpoints = tokenEndpoints({ baseURL: 'https://auth.example.com' })
 * const client = createSessionClient({ appId: 'wallet', methods: [endpoints] })
 *
 * // After login, from the auth iframe:
 * await client.signIn({ session_id: '…', access_token: '…', refresh_token: '…', id_token: '…' })
 *
 * // On every page load:
 * const restored = await endpoints.authorize<{ userId: string }>(client)
 * if (restored) console.log(restored.data?.userId)
 * ```
 */
export function tokenEndpoints<Id extends string = 'tokens'>(
  options: TokenEndpointsOptions & { id?: Id },
): TokenEndpointsMethod<Id> {
  const sessionsUrl = join(options.baseURL, options.sessionsEndpoint ?? '/v1/auth/session')
  const state: TokenEndpointsState = {
    id: options.id ?? 'tokens',
    sessionsUrl,
    refreshUrl: options.refreshEndpoint ? join(options.baseURL, options.refreshEndpoint) : sessionsUrl,
    logoutUrl: join(options.baseURL, options.logoutEndpoint ?? '/v1/auth/logout'),
    credentialsMode: options.credentials ?? 'same-origin',
    decrypt: options.decryptSessionData ?? decryptTorusSessionData,
    received: null,
    authorizing: 0,
  }
  return {
    id: state.id as Id,
    signIn: (params, ctx) => signInWithTokenSet(state, params, ctx),
    refresh: (credentials, ctx) =>
      refreshAt(state, state.authorizing > 0 ? state.sessionsUrl : state.refreshUrl, credentials, ctx),
    signOut: (credentials, ctx) => signOutAtEndpoint(state, credentials, ctx),
    authorize: <T = unknown>(client: AuthorizingClient) => authorize<T>(state, client),
  }
}

/** One round trip to a sessions/refresh endpoint; remembers the session data it brought. */
async function refreshAt(
  state: TokenEndpointsState,
  url: string,
  credentials: Pick<Credentials, 'accessToken' | 'refreshToken' | 'sessionId'>,
  ctx: MethodContext,
): Promise<Credentials> {
  const answer = await refreshAtEndpoint(ctx, url, credentials, state.credentialsMode)
  // Decrypting waits for authorize(): a refresh whose token was rotated must never fail here.
  state.received = {
    accessToken: answer.credentials.accessToken,
    fromSessionsEndpoint: url === state.sessionsUrl,
    sessionId: credentials.sessionId,
    sessionData: answer.sessionData,
  }
  return answer.credentials
}

/** Sign-in with the token set the app's auth service handed over. */
async function signInWithTokenSet(
  state: TokenEndpointsState,
  params: TokenSet,
  ctx: MethodContext,
): Promise<Credentials> {
  state.received = null
  const fields = tokenSetFields(params, { now: ctx.now() })
  if (fields.accessToken) return { ...fields, accessToken: fields.accessToken }
  // Torus lets a set carry only the session id and refresh token: get an access token now.
  if (!fields.refreshToken) {
    throw new SessionError('SIGN_IN_FAILED', 'The token set has neither an access nor a refresh token')
  }
  return { ...fields, ...(await refreshAt(state, state.sessionsUrl, { ...fields, accessToken: '' }, ctx)) }
}

/** Logout at the endpoint, best effort: only a server failure (5xx) is reported, to `errors$`. */
async function signOutAtEndpoint(
  state: TokenEndpointsState,
  credentials: Credentials,
  ctx: MethodContext,
): Promise<void> {
  state.received = null
  const res = await postTokens(ctx, state.logoutUrl, credentials, state.credentialsMode)
  if (!res.ok && res.status >= 500) {
    throw new SessionError('NETWORK', `The logout endpoint answered ${res.status}`)
  }
}

async function dataOf<T>(state: TokenEndpointsState, entry: ReceivedSessionData): Promise<T | null> {
  if (!entry.sessionData || !entry.sessionId) return null
  return (await state.decrypt(entry.sessionId, entry.sessionData)) as T
}

/** {@link TokenEndpointsMethod.authorize}: the stored session, refreshed once through the sessions endpoint. */
async function authorize<T>(
  state: TokenEndpointsState,
  client: AuthorizingClient,
): Promise<AuthorizeResult<T> | null> {
  await client.ready()
  const status = client.getStatus()
  if (status !== 'active' && status !== 'refreshing' && status !== 'expired') return null
  const current = client.getSession()
  if (current && current.method !== state.id) return null
  const received = state.received
  // This tab already refreshed through the sessions endpoint for this very token: no new rotation.
  if (current && received?.fromSessionsEndpoint && received.accessToken === current.accessToken) {
    return { session: current, data: await dataOf<T>(state, received) }
  }
  state.authorizing++
  try {
    return await refreshForSessionData<T>(state, client)
  } finally {
    state.authorizing--
  }
}

/** Refreshes until the session data of the current token reached this tab: at most twice. */
async function refreshForSessionData<T>(
  state: TokenEndpointsState,
  client: AuthorizingClient,
): Promise<AuthorizeResult<T> | null> {
  // A refresh already in flight (or done by another tab) may bring no data: one more, then give up.
  for (let attempt = 0; attempt < 2; attempt++) {
    let token: string
    try {
      token = await client.refresh()
    } catch (error) {
      const failure = whyNotRefreshed(error)
      if (failure === null) return null
      throw failure
    }
    const entry = state.received
    const session = client.getSession()
    if (session && entry?.fromSessionsEndpoint && entry.accessToken === token) {
      return { session, data: await dataOf<T>(state, entry) }
    }
  }
  throw new SessionError(
    'REFRESH_FAILED',
    'The session was refreshed without its session data reaching this tab; try again',
  )
}
