/** The guard on every write: never overwrite news another tab stored meanwhile. */
import { compareSignIns, isAfterSignOut, isFresher } from '../../machines/freshness.js'
import type { SessionRef, StoredSessionState } from '../../machines/sessionRecord.js'

/**
 * Whether a write would overwrite a newer session another tab stored meanwhile (a fresher record,
 * or, when this write holds no record, a sign-in this tab's state is not about), or bring back a
 * session another tab signed out of.
 *
 * @example
 * ```ts
 * import type { SessionRef, StoredSessionState } from '../../machines/sessionRecord.js'
 *
 * declare const stored: StoredSessionState // what storage holds now
 * declare const state: StoredSessionState // what this tab wants to write
 * declare const basis: SessionRef | null // the session this tab's state is about
 * if (supersedes(stored, state, basis)) console.log('another tab stored newer news: keep it')
 * ```
 */
export function supersedes(
  stored: StoredSessionState,
  state: StoredSessionState,
  basis: SessionRef | null,
): boolean {
  // A session another tab signed out of stays out, even for a tab that has not heard yet.
  if (state.record && stored.signedOut && !isAfterSignOut(state.record, stored.signedOut)) return true
  if (!stored.record) return false
  if (state.record) return isFresher(stored.record, state.record)
  // A tab clears only a session it knew: one that never heard of the stored one leaves it.
  return basis === null || compareSignIns(stored.record, basis) > 0
}
