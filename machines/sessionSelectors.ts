/**
 * How the client reads the machine: pure functions of a snapshot (and the time), so the client
 * never works the state out for itself. Reads are the hot path: none of these sends an event;
 * `needsCheck` says when the caller must first send `CHECK` so the machine can move.
 */
import type { SnapshotFrom } from 'xstate'
import type { Session, SessionStatus } from '../src/session.js'
import { isTokenExpired } from './refreshSchedule.js'
import type { sessionMachine } from './session.machine.js'
import type { SessionRecord } from './sessionRecord.js'

/** A snapshot of the session machine. */
export type SessionSnapshot = SnapshotFrom<typeof sessionMachine>

/**
 * The lifecycle state name: the snapshot's top-level state.
 *
 * @example
 * ```ts
 * statusOf(client.actor.getSnapshot()) // 'active'
 * ```
 */
export function statusOf(snapshot: SessionSnapshot): SessionStatus {
  const value = snapshot.value
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as SessionStatus
}

/**
 * True when the machine must look at the clock before a read is answered: an `active` session
 * whose refresh time or expiry has come (a timer that lied in a sleeping tab).
 *
 * @example
 * ```ts
 * const now = Date.now()
 * if (needsCheck(client.actor.getSnapshot(), now)) client.actor.send({ type: 'CHECK', now })
 * ```
 */
export function needsCheck(snapshot: SessionSnapshot, now: number): boolean {
  return now >= snapshot.context.checkAt && snapshot.hasTag('tokenUsable')
}

/**
 * The record whose access token can be used as is right now: `active`, before its refresh time,
 * and unexpired. Null otherwise (the caller refreshes or waits).
 *
 * @example
 * ```ts
 * const record = usableRecord(client.actor.getSnapshot(), Date.now())
 * ```
 */
export function usableRecord(snapshot: SessionSnapshot, now: number): SessionRecord | null {
  return now < usableUntil(snapshot) ? snapshot.context.record : null
}

/**
 * Until when (ms since the epoch) this snapshot's access token can be used as is: its refresh
 * time or its expiry, whichever comes first; `-Infinity` when it has none. A snapshot never
 * changes, so a reader may keep this answer for as long as the machine keeps the snapshot.
 *
 * @example
 * ```ts
 * const snapshot = client.actor.getSnapshot()
 * const fresh = Date.now() < usableUntil(snapshot)
 * ```
 */
export function usableUntil(snapshot: SessionSnapshot): number {
  const { record, checkAt } = snapshot.context
  if (record === null || !snapshot.hasTag('tokenUsable')) return Number.NEGATIVE_INFINITY
  return Math.min(checkAt, record.session.expiresAt * 1000)
}

/**
 * The session the app may show: `active` or `refreshing`, with an unexpired token.
 *
 * @example
 * ```ts
 * readableSession(client.actor.getSnapshot(), Date.now())?.subject
 * ```
 */
export function readableSession(snapshot: SessionSnapshot, now: number): Session | null {
  const record = snapshot.context.record
  if (record === null || !snapshot.hasTag('hasSession')) return null
  return isTokenExpired(record, now) ? null : record.session
}

/**
 * The session the lifecycle says exists (`active` or `refreshing`), whatever the clock: what
 * `authState$` carries.
 *
 * @example
 * ```ts
 * heldSession(client.actor.getSnapshot())?.id
 * ```
 */
export function heldSession(snapshot: SessionSnapshot): Session | null {
  return snapshot.hasTag('hasSession') ? (snapshot.context.record?.session ?? null) : null
}

/**
 * True when the access token has run out, or the session expired.
 *
 * @example
 * ```ts
 * isSessionExpired(client.actor.getSnapshot(), Date.now())
 * ```
 */
export function isSessionExpired(snapshot: SessionSnapshot, now: number): boolean {
  if (statusOf(snapshot) === 'expired') return true
  const record = snapshot.context.record
  return record !== null && isTokenExpired(record, now)
}
