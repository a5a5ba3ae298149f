/** The shapes of a session and of the credentials a sign-in method hands back. */
import type { Cacao } from './capability/cacao.js'

/**
 * What a sign-in method returns: the tokens and whatever it knows about the user.
 *
 * @example
 * ```ts
 * const body = await (await fetch('/auth/login', { method: 'POST' })).json()
 * const credentials: Credentials = { accessToken: body.access_token, refreshToken: body.refresh_token }
 * await client.setTokens(credentials)
 * ```
 */
export interface Credentials {
  accessToken: string
  refreshToken?: string
  /** The identity provider's ID token, as the provider issued it (not tessera's self-signed one). */
  idToken?: string
  /**
   * A server-side session id the token set came with (Torus's `session_id`, a hex string), kept
   * apart from the tokens: it names the session at the app's backend and keys its encrypted
   * session data. Not `Session.id`, which tessera makes up for each sign-in.
   */
  sessionId?: string
  /** Unix seconds. When absent, the access token's JWT `exp` is used. */
  expiresAt?: number
  /** `Bearer` (default) or `DPoP`. */
  tokenType?: string
  /** The user's stable id. When absent, the access token's `sub` is used. */
  subject?: string
  email?: string
  /** The user's display name. When absent, the access token's `name` claim is used. */
  name?: string
  /** A wallet address, for web3 methods. */
  address?: string
  /** Resources or capabilities the session is authorized for (DIDSession's `authorizations`). */
  authorizations?: string[]
  /** Extra claims (for OIDC, the validated ID token claims). */
  claims?: Record<string, unknown>
  /** The wallet's signed capability for the session key (CACAO), for wallet sessions. */
  capability?: Cacao
}

/**
 * The signed-in session as the app sees it. Never holds the refresh token.
 *
 * @example
 * ```ts
 * const session = client.getSession()
 * if (session) fetch('/me', { headers: { Authorization: `Bearer ${session.accessToken}` } })
 * ```
 */
export interface Session {
  /** Random id of this session; stays the same across refreshes. */
  id: string
  subject: string
  /** The id of the {@link AuthMethod} that made it (for OIDC, `oidc`). */
  method: string
  accessToken: string
  tokenType: string
  /** Unix seconds when this access token was received. */
  issuedAt: number
  /** Unix seconds when this access token expires. */
  expiresAt: number
  /** From the method, else the access token's `email` claim. */
  email?: string
  /** From the method, else the access token's `name` claim. */
  name?: string
  address?: string
  authorizations?: string[]
  claims?: Record<string, unknown>
  /** The session key's `did:key` identifier, when the session has a key. */
  did?: string
  /** The session key's RFC 7638 JWK thumbprint (the DPoP `jkt`), when the session has a key. */
  keyThumbprint?: string
  /**
   * For a wallet session: the capability (CAIP-74 CACAO) the wallet signed for the session key,
   * did-session's `session.cacao`. Its `p.aud` is {@link Session.did}.
   */
  capability?: Cacao
}

/**
 * Why a session expired.
 * - `expired`: the access token ran out and could not be refreshed.
 * - `refresh_rejected`: the server rejected the refresh credential.
 * - `refresh_failed`: refreshing kept failing (network) until the token ran out.
 */
export type SessionExpiredReason = 'expired' | 'refresh_rejected' | 'refresh_failed'

/**
 * Emitted once when a session expires, and replayed to late subscribers until cleared.
 *
 * @example
 * ```ts
 * client.onSessionExpired(({ session, expiredAt, reason }) => toast(`Signed out (${reason})`))
 * ```
 */
export interface SessionExpiredEvent {
  session: Session
  /** Unix seconds. */
  expiredAt: number
  reason: SessionExpiredReason
}

/**
 * The lifecycle state names. Part of the public contract.
 *
 * @example
 * ```ts
 * if (client.getStatus() === 'restoring') render('Loading…')
 * ```
 */
export type SessionStatus =
  | 'restoring'
  | 'signedOut'
  | 'authenticating'
  | 'oidcRedirectPending'
  | 'active'
  | 'refreshing'
  | 'expired'

/**
 * What `authState$` and `onAuthStateChange` carry.
 *
 * @example
 * ```ts
 * client.authState$.subscribe(({ status, session }) => render(status, session))
 * ```
 */
export interface AuthState {
  status: SessionStatus
  session: Session | null
}
