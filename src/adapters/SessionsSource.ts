/** The slice of a session kit that UI adapters bind to for its list of sessions. */
import type { Observable } from 'rxjs'
import type { SessionSummary } from '../kit/SessionKit.js'

/**
 * What the adapters' `useSessions` / `sessionsStore` need. A `SessionKit` satisfies it; so does
 * any object with these two members.
 *
 * @example
 * ```ts
 * import { createSessionKit } from 'tessera-session/kit'
 *
 * const source: SessionsSource = createSessionKit({ appId: 'shop', methods })
 * ```
 */
export interface SessionsSource {
  /** Emits the current list synchronously on subscribe, then every change. */
  sessions$: Observable<SessionSummary[]>
  /** The current list; the same array until something changes (what `useSyncExternalStore` needs). */
  getSessions(): SessionSummary[]
}
