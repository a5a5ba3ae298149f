/** The data the session machine holds and persists: pure types, no I/O. */
import type { Credentials, Session, SessionExpiredEvent } from '../src/session.js'

/**
 * Everything tessera keeps about a live session. `credentials` holds the refresh and ID tokens
 * that `session` (the app-facing view) never shows.
 *
 * @example
 * ```ts
 * const record: SessionRecord = { session, credentials, refreshable: true, keyId: key.id }
 * ```
 */
export interface SessionRecord {
  session: Session
  credentials: Credentials
  /** True when the method can refresh (it has `refresh`, with or without a refresh token). */
  refreshable: boolean
  /** The session key's id in the key store, when the session has one. */
  keyId?: string
}

/**
 * A redirect sign-in that left the page and has not come back yet. Persisted, so the state
 * survives the navigation and reloads.
 *
 * @example
 * ```ts
 * const pending: PendingRedirect = { methodId: 'oidc', startedAt: Date.now(), expiresAt: Date.now() + 600_000 }
 * ```
 */
export interface PendingRedirect {
  methodId: string
  /** Milliseconds since the epoch. */
  startedAt: number
  /** Milliseconds since the epoch after which the redirect counts as abandoned. */
  expiresAt: number
  /** The session key made for this sign-in (DPoP binds to it), to pick up after the redirect. */
  keyId?: string
  /** The redirect's `state`: the callback must carry it (see `RedirectRequest.state`). */
  state?: string
}

/**
 * What storage holds between page loads.
 *
 * @example
 * ```ts
 * const stored: StoredSessionState = { record: null, expired: lastExpiredEvent, pendingRedirect: null }
 * ```
 */
export interface StoredSessionState {
  record: SessionRecord | null
  expired: SessionExpiredEvent | null
  pendingRedirect: PendingRedirect | null
}

/** An empty stored state: nothing signed in, nothing to replay. */
export const EMPTY_STORED_STATE: StoredSessionState = Object.freeze({
  record: null,
  expired: null,
  pendingRedirect: null,
})
