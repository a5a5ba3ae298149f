/** Turns other tabs' messages into machine events, after validating them: they are untrusted input. */
import { type SessionError, toSessionError } from '../SessionError.js'
import type { SessionSync } from '../sync/SessionSync.js'
import { parseExpiredEvent, parseSessionRecord } from './parseStoredState.js'
import type { SessionActor } from './sessionLogic.js'

/**
 * Subscribes to `sync` and returns the unsubscribe function. Messages from this tab, and after
 * `isDestroyed()`, are ignored; malformed ones are reported and dropped.
 *
 * @example
 * ```ts
 * const stop = listenToOtherTabs(sync, actor, { tabId, now: Date.now, reportError, isDestroyed: () => false })
 * ```
 */
export function listenToOtherTabs(
  sync: SessionSync,
  actor: SessionActor,
  options: { tabId: string; now(): number; reportError(error: SessionError): void; isDestroyed(): boolean },
): () => void {
  return sync.subscribe((message) => {
    if (options.isDestroyed() || typeof message !== 'object' || message === null) return
    const m = message as { type?: unknown; from?: unknown; record?: unknown; expired?: unknown }
    if (m.from === options.tabId) return
    try {
      if (m.type === 'session') {
        actor.send({ type: 'REMOTE_SESSION', record: parseSessionRecord(m.record), now: options.now() })
      } else if (m.type === 'signedOut') {
        actor.send({ type: 'REMOTE_SIGNED_OUT' })
      } else if (m.type === 'expired') {
        actor.send({ type: 'REMOTE_EXPIRED', expired: parseExpiredEvent(m.expired) })
      }
    } catch (error) {
      options.reportError(
        toSessionError(error, 'INVALID_SESSION', 'Ignored a malformed message from another tab'),
      )
    }
  })
}
