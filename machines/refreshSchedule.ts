/** Pure timing rules of the lifecycle: when to refresh, how long to back off, how to clamp timers. */
import type { SessionRecord } from './sessionRecord.js'

/** The largest delay `setTimeout` honours; larger values overflow and fire at once. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1

/**
 * Milliseconds at which a token should refresh, from its times alone: `refreshSkewSeconds` before
 * expiry, but never earlier than halfway through the token's life, so a token shorter than the
 * skew does not refresh in a loop.
 *
 * @example
 * ```ts
 * tokenRefreshDueAt({ issuedAt: 0, expiresAt: 300 }, 60) // 240_000
 * tokenRefreshDueAt({ issuedAt: 0, expiresAt: 30 }, 60)  // 15_000
 * ```
 */
export function tokenRefreshDueAt(
  session: { issuedAt: number; expiresAt: number },
  skewSeconds: number,
): number {
  const lifetime = Math.max(0, session.expiresAt - session.issuedAt)
  const skew = Math.min(Math.max(0, skewSeconds), lifetime / 2)
  return (session.expiresAt - skew) * 1000
}

/** A token that lives less than this (seconds) counts as short-lived: see {@link refreshFloorMs}. */
export const SHORT_LIVED_SECONDS = 2

/** The longest the refresh floor grows to (ms). */
export const MAX_REFRESH_FLOOR_MS = 30_000

/**
 * How long after obtaining a token the next refresh may start, given how many short-lived tokens
 * came in a row: 0 for a healthy token, then 1 s, 2 s, 4 s… up to 30 s. A provider answering
 * `expires_in: 0` (or a server clock far behind) gets a handful of refreshes a minute, not a loop.
 *
 * @example
 * ```ts
 * refreshFloorMs(0) // 0
 * refreshFloorMs(3) // 4_000
 * ```
 */
export function refreshFloorMs(shortLivedStreak: number): number {
  if (shortLivedStreak <= 0) return 0
  return Math.min(MAX_REFRESH_FLOOR_MS, 1000 * 2 ** (shortLivedStreak - 1))
}

/**
 * Milliseconds at which a record should refresh: {@link tokenRefreshDueAt}, but not before the
 * refresh floor of a short-lived streak has passed.
 *
 * @example
 * ```ts
 * import type { SessionRecord } from './sessionRecord.js'
 *
 * declare const record: SessionRecord
 * refreshDueAt(record, 60) // 60 s before expiry, not before half its life nor the floor
 * ```
 */
export function refreshDueAt(record: SessionRecord, skewSeconds: number): number {
  return Math.max(
    tokenRefreshDueAt(record.session, skewSeconds),
    record.obtainedAt + refreshFloorMs(record.shortLivedStreak ?? 0),
  )
}

/**
 * When the machine next has to look at the clock for this record (ms): its refresh time when it
 * can refresh, else its expiry. Reads compare against it, so the hot path sends no event.
 *
 * @example
 * ```ts
 * import type { SessionRecord } from './sessionRecord.js'
 *
 * declare const record: SessionRecord
 * const now = Date.now()
 * if (now >= nextCheckAt(record, 60)) client.actor.send({ type: 'CHECK', now })
 * ```
 */
export function nextCheckAt(record: SessionRecord, skewSeconds: number): number {
  return record.refreshable ? refreshDueAt(record, skewSeconds) : record.session.expiresAt * 1000
}

/**
 * True when the record's access token has run out at `now` (milliseconds).
 *
 * @example
 * ```ts
 * import type { SessionRecord } from './sessionRecord.js'
 *
 * declare const record: SessionRecord
 * if (isTokenExpired(record, Date.now())) await client.refresh()
 * ```
 */
export function isTokenExpired(record: SessionRecord, now: number): boolean {
  return now >= record.session.expiresAt * 1000
}

/**
 * When to retry a refresh that failed transiently: exponential from 1 s, capped at 30 s, with
 * `jitter` in [0, 1) spreading tabs and clients apart, and never after the token has expired
 * (one last try at expiry decides between active and expired).
 *
 * @example
 * ```ts
 * import type { SessionRecord } from './sessionRecord.js'
 *
 * declare const record: SessionRecord
 * retryAt(3, Date.now(), Math.random(), record.session.expiresAt * 1000) // 2 to 4 s from now
 * ```
 */
export function retryAt(attempt: number, now: number, jitter: number, expiresAtMs: number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1))
  const delay = base * (0.5 + Math.min(Math.max(jitter, 0), 1) / 2)
  return Math.min(now + delay, Math.max(now, expiresAtMs))
}

/**
 * The delay to hand `setTimeout` for an absolute due time, clamped to what timers honour.
 * A clamped timer re-arms itself when it fires early.
 *
 * @example
 * ```ts
 * declare const dueAt: number // ms since the epoch, maybe weeks away
 * setTimeout(() => client.getAccessToken(), timerDelay(dueAt, Date.now()))
 * ```
 */
export function timerDelay(dueAt: number, now: number): number {
  return Math.min(Math.max(0, dueAt - now), MAX_TIMER_DELAY_MS)
}
