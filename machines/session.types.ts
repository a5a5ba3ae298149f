/** The vocabulary of the session machine: what it holds, what it hears, what it tells. */
import type { SessionError } from '../src/SessionError.js'
import type { Session, SessionExpiredEvent } from '../src/session.js'
import type { PendingRedirect, SessionRecord, SessionRef, StoredSessionState } from './sessionRecord.js'

/**
 * What the client knows when it creates the actor.
 *
 * @example
 * ```ts
 * import { EMPTY_STORED_STATE } from './sessionRecord.js'
 *
 * const input: SessionMachineInput = { refreshSkewSeconds: 60, now: Date.now(), restored: EMPTY_STORED_STATE }
 * ```
 */
export interface SessionMachineInput {
  refreshSkewSeconds: number
  /** The stored state when storage could be read synchronously; absent means "load it async". */
  restored?: StoredSessionState
  /** Milliseconds since the epoch at construction, for routing a synchronously restored state. */
  now: number
}

/**
 * The machine's context.
 *
 * @example
 * ```ts
 * const { record, expired } = client.actor.getSnapshot().context
 * ```
 */
export interface SessionContext {
  record: SessionRecord | null
  /** The latest expired event; replayed to late subscribers until a new session or sign-out. */
  expired: SessionExpiredEvent | null
  pendingRedirect: PendingRedirect | null
  /** The latest sign-out this tab knows of: only a newer sign-in may bring a session back. */
  signedOut: SessionRef | null
  /**
   * The latest session this tab held (it stays after the record is cleared): what its storage
   * writes are about, so a write never clobbers a newer sign-in another tab stored meanwhile.
   */
  basis: SessionRef | null
  refreshSkewSeconds: number
  restored: StoredSessionState | undefined
  /** When the restored state was read (ms): what "expired yet?" is judged against while routing. */
  restoredAt: number
  /** When `active` next has to look at the clock (ms): the refresh time, or expiry. */
  checkAt: number
  /** Consecutive transient refresh failures in the current refresh. */
  refreshAttempt: number
  /** Absolute time (ms) of the next refresh retry. */
  retryAt: number
  /** The sign-in the machine is running (its outcome is emitted with this id), or null. */
  attempt: string | null
  /** Session keys this tab is responsible for: deleted when no record or redirect references them. */
  heldKeys: string[]
}

/** Output of the `signInWithMethod` actor: it never rejects, so guards see the time of the outcome. */
export type SignInOutcome =
  | { kind: 'session'; record: SessionRecord; now: number }
  | { kind: 'redirect'; pendingRedirect: PendingRedirect; url: string }
  | { kind: 'failed'; error: SessionError; now: number }

/** Output of the `completeRedirect` actor. */
export type RedirectOutcome =
  | { kind: 'session'; record: SessionRecord; now: number }
  | { kind: 'failed'; error: SessionError; now: number }

/** Output of the `refreshSession` actor: it never rejects, so the machine sees every outcome. */
export type RefreshOutcome =
  | { ok: true; record: SessionRecord; now: number }
  | { ok: false; error: SessionError; now: number; jitter: number }

/** Output of the `loadStoredSession` actor. */
export interface LoadOutcome {
  stored: StoredSessionState
  now: number
}

/** Input of the `endSession` actor (sign-out's server side: revocation, logout redirect, the key). */
export interface EndSessionInput {
  /** Null when there was no session (nothing to revoke). */
  record: SessionRecord | null
  redirect: boolean
}

/** Input of the `dueTimer` actor: fire `event` at `dueAt` (ms), however long the tab slept. */
export interface DueTimerInput {
  dueAt: number
  event: 'CHECK' | 'RETRY_DUE' | 'REDIRECT_TIMEOUT'
}

/**
 * Everything the session actor accepts. Every input reaches the session only as one of these:
 * app calls, timers, wake-ups and other tabs alike.
 */
export type SessionEvent =
  | { type: 'SIGN_IN'; attemptId: string; methodId: string; params: unknown }
  /** The page came back from a redirect sign-in; `state` is the callback's. */
  | {
      type: 'REDIRECT_CALLBACK'
      attemptId: string
      url: string
      state: string | null
      methodId?: string
      now: number
    }
  /** A session made here without a method's sign-in: setTokens, restore(serialized). */
  | { type: 'SESSION_ESTABLISHED'; attemptId: string; record: SessionRecord; now: number }
  /** Another tab signed in or refreshed. */
  | { type: 'REMOTE_SESSION'; record: SessionRecord; now: number }
  /** Another tab signed out of `session` (null: a tab that held nothing). */
  | { type: 'REMOTE_SIGNED_OUT'; session: SessionRef | null }
  /** Another tab's session `session` expired. */
  | { type: 'REMOTE_EXPIRED'; expired: SessionExpiredEvent; session: SessionRef }
  /**
   * This tab's write replaced a stored session of another key: a session that lost to a fresher
   * one, whose tab may be gone before it hears (a reload, a closed tab).
   */
  | { type: 'KEY_DISPLACED'; keyId: string }
  | { type: 'REFRESH'; now: number }
  /** A read or a timer: look at the clock now. */
  | { type: 'CHECK'; now: number }
  /** The page may have slept or been offline (visible again, focus, online). */
  | { type: 'WAKE'; now: number }
  | { type: 'SIGN_OUT'; redirect: boolean }
  | { type: 'RETRY_DUE'; now: number }
  | { type: 'REDIRECT_TIMEOUT'; now: number }

/**
 * What the machine tells its client (`actor.on(type, …)`): the outcome of each sign-in attempt,
 * by its id, and of each refresh attempt.
 */
export type SessionEmitted =
  | { type: 'signIn.settled'; attemptId: string; session: Session }
  | { type: 'signIn.failed'; attemptId: string; error: SessionError }
  | { type: 'refresh.settled'; accessToken: string }
  | { type: 'refresh.failed'; error: SessionError; final: boolean }
