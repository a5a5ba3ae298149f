/** The client's synchronous reads: each asks the machine (through its selectors), never the other way round. */
import { isTokenExpired } from '../../machines/refreshSchedule.js'
import { isSessionExpired, readableSession, statusOf } from '../../machines/sessionSelectors.js'
import type { Session } from '../session.js'
import type { ClientRuntime } from './clientRuntime.js'

/** A hex account address (EIP-55 mixed case is only a checksum). */
const ADDRESS = /^0x[0-9a-f]+$/i

/** Addresses compare case-insensitively (EIP-55 case is a checksum); subjects exactly. */
function sameAccount(session: Session, who: string): boolean {
  if (session.subject === who) return true
  if (!session.address) return false
  return ADDRESS.test(who) ? session.address.toLowerCase() === who.toLowerCase() : session.address === who
}

/**
 * The client's synchronous reads.
 *
 * @example
 * ```ts
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
    hasSessionFor(subjectOrAddress: string, query?: { authorizations?: string[] }): boolean {
      const snapshot = rt.current()
      const record = snapshot.context.record
      if (!record || !snapshot.hasTag('hasSession')) return false
      if (isTokenExpired(record, deps.env.now()) && !record.refreshable) return false
      const granted = new Set(record.session.authorizations ?? [])
      return (
        sameAccount(record.session, subjectOrAddress) &&
        (query?.authorizations ?? []).every((a) => granted.has(a))
      )
    },
  }
}
