/** did-session's `hasSessionFor`: is there a live session for this account that covers these resources? */
import { isTokenExpired } from '../../machines/refreshSchedule.js'
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { cacaoTime, pkhAccount } from '../capability/cacao.js'
import { coversResources } from '../capability/coversResources.js'
import type { Session } from '../session.js'

/**
 * What `hasSessionFor` asks about the resources: every one must be covered. `authorizations` is the
 * older name of `resources`; both are honoured.
 *
 * @example
 * ```ts
 * const query: SessionForQuery = { resources: ['ceramic://*?model=kjzl6…'] }
 * ```
 */
export interface SessionForQuery {
  resources?: readonly string[]
  authorizations?: readonly string[]
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/** An Ethereum account named as an address, a CAIP-10 `eip155:<chain>:<address>` or a `did:pkh`. */
function ethereumAccount(who: string): { chainId?: number; address: string } | null {
  if (ADDRESS.test(who)) return { address: who }
  const caip10 = /^eip155:([1-9][0-9]*):(0x[0-9a-fA-F]{40})$/.exec(who)
  if (caip10) return { chainId: Number(caip10[1]), address: caip10[2] as string }
  return pkhAccount(who)
}

function sessionAccount(session: Session): { chainId?: number; address: string } | null {
  if (session.capability) return pkhAccount(session.capability.p.iss)
  const fromSubject = ethereumAccount(session.subject)
  if (fromSubject) return fromSubject
  return session.address && ADDRESS.test(session.address) ? { address: session.address } : null
}

/**
 * True when `session` belongs to `account`. Addresses (alone, in `eip155:<chain>:<address>` or in a
 * `did:pkh`) compare case-insensitively, as hex does, and a named chain must match; any other
 * subject or address compares exactly (`ALICE` is not `alice`; base58 addresses are case-sensitive).
 *
 * @example
 * ```ts
 * import type { Session } from 'tessera-session'
 *
 * declare const session: Session // a wallet session
 * sessionIsFor(session, 'did:pkh:eip155:1:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed') // true for that wallet on chain 1
 * ```
 */
export function sessionIsFor(session: Session, account: string): boolean {
  const wanted = ethereumAccount(account)
  if (!wanted) return session.subject === account || session.address === account
  const have = sessionAccount(session)
  if (!have || have.address.toLowerCase() !== wanted.address.toLowerCase()) return false
  return wanted.chainId === undefined || have.chainId === undefined || wanted.chainId === have.chainId
}

/**
 * True when the session's capability is in force at `nowMs` and delegates to this session's key.
 * A session without a capability has none to lose: true.
 *
 * @example
 * ```ts
 * const session = client.getSession()
 * if (session && !capabilityInForce(session, Date.now())) await client.signIn()
 * ```
 */
export function capabilityInForce(session: Session, nowMs: number): boolean {
  const capability = session.capability
  if (!capability) return true
  if (capability.p.aud !== session.did) return false
  const now = nowMs / 1000
  const exp = cacaoTime(capability.p.exp)
  const nbf = cacaoTime(capability.p.nbf)
  if (capability.p.exp !== undefined && (exp === undefined || now >= exp)) return false
  return nbf === undefined || now >= nbf
}

/**
 * The resources a session may act on: its capability's `resources` for a wallet session, else
 * the method's `authorizations`.
 *
 * @example
 * ```ts
 * import type { Session } from 'tessera-session'
 *
 * declare const session: Session // a wallet session with a CACAO for Ceramic
 * grantedResources(session) // ['ceramic://*']
 * ```
 */
export function grantedResources(session: Session): string[] {
  return session.capability
    ? [...(session.capability.p.resources ?? [])]
    : [...(session.authorizations ?? [])]
}

/**
 * The whole `hasSessionFor` rule over a record: a live session (active or refreshing, its token
 * valid or refreshable), for `account`, whose capability is in force and covers every requested
 * resource (wildcards such as `ceramic://*`, and ReCaps, as `coversResources` reads them).
 *
 * @example
 * ```ts
 * const { context } = client.actor.getSnapshot()
 * const live = client.getStatus() === 'active'
 * hasSessionFor({ record: context.record, live, now: Date.now() }, '0xabc…', { resources: ['ceramic://*'] })
 * ```
 */
export function hasSessionFor(
  state: { record: SessionRecord | null; live: boolean; now: number },
  account: string,
  query: SessionForQuery = {},
): boolean {
  const { record, live, now } = state
  if (!record || !live) return false
  if (isTokenExpired(record, now) && !record.refreshable) return false
  const session = record.session
  if (!sessionIsFor(session, account) || !capabilityInForce(session, now)) return false
  const requested = [...(query.resources ?? []), ...(query.authorizations ?? [])]
  return coversResources(grantedResources(session), requested)
}
