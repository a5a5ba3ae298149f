/** Turns other tabs' messages into machine events, after the one parser checked them: they are untrusted. */
import { parseSyncMessage } from '../../machines/parseSessionData.js'
import type { SessionEvent } from '../../machines/session.machine.js'
import { toSessionError } from '../SessionError.js'
import type { ClientRuntime } from './clientRuntime.js'

/**
 * Subscribes to the runtime's sync and returns the unsubscribe function. Messages from this tab,
 * and after `destroy()`, are ignored; malformed ones are reported and dropped. The machine's
 * guards decide what each message changes.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const stop = listenToOtherTabs(rt)
 * ```
 */
export function listenToOtherTabs(rt: ClientRuntime): () => void {
  const { deps, actor } = rt
  if (!deps.sync) return () => undefined
  return deps.sync.subscribe((data) => {
    if (rt.lifetime.aborted) return
    let event: SessionEvent
    try {
      const message = parseSyncMessage(data)
      if (message.from === deps.tabId) return
      if (message.type === 'session')
        event = { type: 'REMOTE_SESSION', record: message.record, now: deps.env.now() }
      else if (message.type === 'signedOut') event = { type: 'REMOTE_SIGNED_OUT', session: message.session }
      else event = { type: 'REMOTE_EXPIRED', expired: message.expired, session: message.session }
    } catch (error) {
      deps.reportError(
        toSessionError(error, 'INVALID_SESSION', 'Ignored a malformed message from another tab'),
      )
      return
    }
    actor.send(event)
  })
}
