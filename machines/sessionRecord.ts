/** The data the session machine holds, persists and exchanges with other tabs: pure types, no I/O. */
import type { Credentials, Session, SessionExpiredEvent } from '../src/session.js'

/**
 * Which session a record, a message or a sign-out is about, in a form every tab can order:
 * the sign-in (`id`, `signedInAt`) and which refresh of it (`generation`, `obtainedAt`).
 * See `machines/freshness.ts` for the one rule that orders them.
 *
 * @example
 * ```ts
 * const ref: SessionRef = { id: 's-1', signedInAt: 1_767_225_600_000, generation: 3, obtainedAt: 1_767_226_500_000 }
 * ```
 */
export interface SessionRef {
  /** The session's random id; the same across refreshes. */
  id: string
  /** Milliseconds since the epoch when the sign-in was committed (never earlier than a sign-in or sign-out this tab knew of). */
  signedInAt: number
  /** 0 at sign-in; each refresh adds one. */
  generation: number
  /** Milliseconds since the epoch when this generation's tokens were received. */
  obtainedAt: number
}

/**
 * Everything tessera keeps about a live session. `credentials` holds the refresh and ID tokens
 * that `session` (the app-facing view) never shows.
 *
 * @example
 * ```ts
 * import type { Credentials, Session } from 'tessera-session'
 *
 * declare const session: Session
 * declare const credentials: Credentials
 * const now = Date.now()
 * const record: SessionRecord = {
 *   session, credentials, refreshable: true, keyId: 'k1',
 *   signedInAt: now, generation: 0, obtainedAt: now,
 * }
 * ```
 */
export interface SessionRecord {
  session: Session
  credentials: Credentials
  /** True when the method can refresh (it has `refresh`, with or without a refresh token). */
  refreshable: boolean
  /** The session key's id in the key store, when the session has one. */
  keyId?: string
  /** See {@link SessionRef.signedInAt}. */
  signedInAt: number
  /** See {@link SessionRef.generation}. */
  generation: number
  /** See {@link SessionRef.obtainedAt}. */
  obtainedAt: number
  /**
   * How many tokens in a row came back with (almost) no lifetime (`expires_in: 0`, a server
   * clock far behind): the refresh floor doubles with each, so such a provider gets a handful
   * of calls a minute instead of a loop.
   */
  shortLivedStreak?: number
}

/**
 * A redirect sign-in that left the page and has not come back yet. Persisted, so the state
 * survives the navigation and reloads.
 *
 * @example
 * ```ts
 * const now = Date.now()
 * const pending: PendingRedirect = { methodId: 'oidc', startedAt: now, expiresAt: now + 600_000, state: 'x9f…' }
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
 * import type { SessionExpiredEvent } from 'tessera-session'
 *
 * declare const lastExpired: SessionExpiredEvent
 * const stored: StoredSessionState = { record: null, expired: lastExpired, pendingRedirect: null, signedOut: null }
 * ```
 */
export interface StoredSessionState {
  record: SessionRecord | null
  expired: SessionExpiredEvent | null
  pendingRedirect: PendingRedirect | null
  /** The latest sign-out: only a newer sign-in brings a session back (a late message cannot). */
  signedOut: SessionRef | null
}

/** An empty stored state: nothing signed in, nothing to replay. */
export const EMPTY_STORED_STATE: StoredSessionState = Object.freeze({
  record: null,
  expired: null,
  pendingRedirect: null,
  signedOut: null,
})

/**
 * The reference of a record: what a message about it names.
 *
 * @example
 * ```ts
 * import { broadcastChannelSync } from 'tessera-session'
 *
 * declare const record: SessionRecord
 * broadcastChannelSync('tessera', 'shop').publish({ type: 'signedOut', session: refOf(record), from: 'tab-1' })
 * ```
 */
export function refOf(record: SessionRecord): SessionRef {
  return {
    id: record.session.id,
    signedInAt: record.signedInAt,
    generation: record.generation,
    obtainedAt: record.obtainedAt,
  }
}
