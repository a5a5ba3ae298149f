/** The client's synchronous reads: each asks the machine (through its selectors), never the other way round. */
import { isSessionExpired, readableSession, statusOf } from '../../machines/sessionSelectors.js'
import type { ClientRuntime } from './clientRuntime.js'
import { hasSessionFor, type SessionForQuery } from './hasSessionFor.js'

/**
 * The client's synchronous reads.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const reads = sessionReads(rt)
 * reads.getSession()?.subject
 * ```
 */
export function sessionReads(rt: ClientRuntime) {
  const { actor, deps } = rt
  return {
    getSession: () => readableSession(rt.current(), deps.env.now()),
    getStatus: () => statusOf(actor.getSnapshot()),
    isExpired: () => isSessionExpired(rt.current(), deps.env.now()),
    expiresInSecs: () => {
      const record = actor.getSnapshot().context.record
      return record ? Math.max(0, Math.floor(record.session.expiresAt - deps.env.now() / 1000)) : 0
    },
    authorizations: () => actor.getSnapshot().context.record?.session.authorizations ?? [],
    /** What the session holds, while it holds a session: the machine's record, in memory, at once. */
    credential(name: 'refreshToken' | 'idToken' | 'sessionId'): string | null {
      const snapshot = actor.getSnapshot()
      if (!snapshot.hasTag('hasSession')) return null
      return snapshot.context.record?.credentials[name] ?? null
    },
    hasSessionFor(account: string, query?: SessionForQuery): boolean {
      const snapshot = rt.current()
      const live = snapshot.hasTag('hasSession')
      return hasSessionFor({ record: snapshot.context.record, live, now: deps.env.now() }, account, query)
    },
  }
}
