/**
 * The one freshness rule. The machine, the refresh coordinator and storage all order sessions
 * with it, so crossing messages between tabs converge: after they drain, every tab holds the
 * same session or all are signed out.
 *
 * - Two sign-ins are ordered by `signedInAt`, then by id (a total order every tab agrees on,
 *   whatever the clocks say; a tab stamps its sign-ins after anything it has seen, like a
 *   Lamport clock, so a sign-in always orders after the sign-out it follows).
 * - Two records of the same sign-in are ordered by `generation` (one per refresh), then by the
 *   time the tokens were obtained, then by the token itself.
 */
import type { SessionRecord, SessionRef } from './sessionRecord.js'
import { refOf } from './sessionRecord.js'

type Orderable = SessionRef | SessionRecord

const ref = (value: Orderable): SessionRef => ('session' in value ? refOf(value) : value)

/**
 * Orders two sign-ins: negative when `a` is older, positive when newer, 0 for the same sign-in.
 *
 * @example
 * ```ts
 * import type { SessionRecord, SessionRef } from './sessionRecord.js'
 *
 * declare const mine: SessionRecord
 * declare const theirs: SessionRef // what another tab's message is about
 * compareSignIns(mine, theirs) < 0 // the other tab holds a newer sign-in
 * ```
 */
export function compareSignIns(a: Orderable, b: Orderable): number {
  const x = ref(a)
  const y = ref(b)
  if (x.id === y.id) return 0
  if (x.signedInAt !== y.signedInAt) return x.signedInAt < y.signedInAt ? -1 : 1
  return x.id < y.id ? -1 : 1
}

/**
 * Orders two records or references: sign-in first, then generation, then when obtained.
 *
 * @example
 * ```ts
 * import type { SessionRecord } from './sessionRecord.js'
 *
 * declare const mine: SessionRecord
 * declare const latest: SessionRecord // the newest record another tab stored
 * compareFreshness(latest, mine) > 0 // another tab already refreshed
 * ```
 */
export function compareFreshness(a: Orderable, b: Orderable): number {
  const bySignIn = compareSignIns(a, b)
  if (bySignIn !== 0) return bySignIn
  const x = ref(a)
  const y = ref(b)
  if (x.generation !== y.generation) return x.generation < y.generation ? -1 : 1
  if (x.obtainedAt !== y.obtainedAt) return x.obtainedAt < y.obtainedAt ? -1 : 1
  if ('session' in a && 'session' in b && a.session.accessToken !== b.session.accessToken) {
    return a.session.accessToken < b.session.accessToken ? -1 : 1
  }
  return 0
}

/**
 * True when `incoming` is strictly fresher than `current` (or there is no current).
 *
 * @example
 * ```ts
 * import type { SessionRecord } from './sessionRecord.js'
 *
 * declare const current: SessionRecord | null
 * declare const fromOtherTab: SessionRecord
 * const kept = isFresher(fromOtherTab, current) ? fromOtherTab : current
 * ```
 */
export function isFresher(incoming: Orderable, current: Orderable | null): boolean {
  return current === null || compareFreshness(incoming, current) > 0
}

/**
 * True when `incoming` is a sign-in strictly newer than the latest sign-out `horizon`: the only
 * way a signed-out tab takes a session from another tab.
 *
 * @example
 * ```ts
 * import type { SessionRecord } from './sessionRecord.js'
 *
 * declare const fromOtherTab: SessionRecord
 * const { signedOut } = client.actor.getSnapshot().context
 * isAfterSignOut(fromOtherTab, signedOut) // false for a late message about a signed-out session
 * ```
 */
export function isAfterSignOut(incoming: Orderable, horizon: SessionRef | null): boolean {
  return horizon === null || compareSignIns(incoming, horizon) > 0
}

/**
 * The later of two sign-outs (the horizon a tab keeps).
 *
 * @example
 * ```ts
 * import type { SessionRef } from './sessionRecord.js'
 *
 * declare const announced: SessionRef // the session another tab signed out of
 * const horizon = laterSignOut(client.actor.getSnapshot().context.signedOut, announced)
 * ```
 */
export function laterSignOut(a: SessionRef | null, b: SessionRef | null): SessionRef | null {
  if (a === null) return b
  if (b === null) return a
  return compareSignIns(a, b) >= 0 ? a : b
}

/**
 * The `signedInAt` for a sign-in committed at `now`: never earlier than, nor equal to, a sign-in
 * or sign-out this tab already knows, so every tab orders it after them whatever its clock says.
 *
 * @example
 * ```ts
 * const { record, signedOut } = client.actor.getSnapshot().context
 * const signedInAt = nextSignInTime(1_767_225_600_000, record, signedOut)
 * ```
 */
export function nextSignInTime(now: number, ...known: Array<Orderable | null>): number {
  let at = now
  for (const k of known) if (k) at = Math.max(at, ref(k).signedInAt + 1)
  return at
}
