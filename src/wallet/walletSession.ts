/** did-session's surface over a tessera client: get (reuse or ask the wallet), remove, and the capability's lifecycle. */
import type { Cacao } from '../capability/cacao.js'
import { cacaoTime, pkhAccount } from '../capability/cacao.js'
import { coversResources } from '../capability/coversResources.js'
import { encodeRecap } from '../capability/recap.js'
import { capabilityInForce, sessionIsFor } from '../client/hasSessionFor.js'
import type { SessionClient } from '../client/SessionClient.js'
import { defaultEnvironment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import type { Session } from '../session.js'
import type { CapabilityRequest, Eip1193Provider } from './walletMethod.js'

/**
 * A wallet session as did-session's `DIDSession` shows it: the capability and its lifecycle.
 * Getters read the clock when asked, so `isExpired` turns true by itself.
 *
 * @example
 * ```ts
 * const ws = await getWalletSession(client, { resources: ['ceramic://*'] })
 * if (ws.expiresInSecs < 3600) await getWalletSession(client, { resources: ['ceramic://*'], expiresInSecs: 7 * 86400 })
 * ```
 */
export interface WalletSession {
  /** The client's session this view was made from. */
  readonly session: Session
  /** The CACAO the wallet signed (did-session's `session.cacao`). */
  readonly capability: Cacao
  /** `did:pkh:eip155:<chainId>:<address>` (did-session's `session.id`). */
  readonly id: string
  /** CAIP-10 `eip155:<chainId>:<address>`. */
  readonly account: string
  /** EIP-55 address. */
  readonly address: string
  readonly chainId: number
  /** The session key's `did:key`: the capability's audience. */
  readonly did: string
  /** True while there is a capability (always true here; did-session's `hasSession`). */
  readonly hasSession: boolean
  /** True once the capability's `exp` has passed. */
  readonly isExpired: boolean
  /** Whole seconds until the capability expires; 0 once expired. */
  readonly expiresInSecs: number
  /** The resources the capability grants (did-session's `authorizations`). */
  readonly authorizations: string[]
  /** True when the capability is in force and covers every resource (did-session's `isAuthorized`). */
  isAuthorized(resources?: string[]): boolean
}

/**
 * Options of {@link getWalletSession}: the capability to ask for when one is needed, and which
 * account and method to use.
 *
 * @example
 * ```ts
 * const options: GetWalletSessionOptions = { account: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', resources: ['ceramic://*'] }
 * ```
 */
export interface GetWalletSessionOptions extends CapabilityRequest {
  /** Reuse only a session of this account, and make the wallet sign as it. Default: the current session's, or the wallet's first. */
  account?: string
  /** The wallet method's id, when the client has several methods. */
  method?: string
  provider?: Eip1193Provider
  /** Clock for `isExpired`/`expiresInSecs`; default `Date.now`. */
  now?: () => number
}

/**
 * The client's current session as a {@link WalletSession}, or null when it has no capability.
 * Never asks the wallet.
 *
 * @example
 * ```ts
 * walletSessionOf(client)?.authorizations // ['ceramic://*']
 * ```
 */
export function walletSessionOf(
  client: SessionClient,
  options: { now?: () => number } = {},
): WalletSession | null {
  // A wallet session outlives its access token: while a refresh runs, the capability still stands.
  const session = client.getSession() ?? client.getAuthState().session
  return session?.capability ? viewOf(session, options.now ?? defaultEnvironment().now) : null
}

function viewOf(session: Session, now: () => number): WalletSession {
  const capability = session.capability as Cacao
  const pkh = pkhAccount(capability.p.iss)
  if (!pkh) throw new SessionError('INVALID_SESSION', 'The capability is not from an eip155 account')
  const exp = cacaoTime(capability.p.exp)
  const remaining = () => (exp === undefined ? Number.POSITIVE_INFINITY : exp - now() / 1000)
  return {
    session,
    capability,
    id: capability.p.iss,
    account: `eip155:${pkh.chainId}:${pkh.address}`,
    address: pkh.address,
    chainId: pkh.chainId,
    did: capability.p.aud,
    hasSession: true,
    get isExpired() {
      return remaining() <= 0
    },
    get expiresInSecs() {
      return Math.max(0, Math.floor(remaining()))
    },
    authorizations: [...(capability.p.resources ?? [])],
    isAuthorized(resources = []) {
      return capabilityInForce(session, now()) && coversResources(capability.p.resources ?? [], resources)
    },
  }
}

/**
 * did-session's `DIDSession.get`: the current session when it is live, for `account` (when given),
 * and its capability covers every requested resource; otherwise the wallet is asked to sign a new
 * capability (one wallet prompt). `client.hasSessionFor(account, { resources })` tells beforehand
 * whether a prompt will happen.
 *
 * @example
 * ```ts
 * import { getWalletSession } from 'tessera-session/wallet'
 * const ws = await getWalletSession(client, { resources: ['ceramic://*'] })
 * ws.did // the session key that now speaks for ws.id
 * ```
 */
export async function getWalletSession(
  client: SessionClient,
  options: GetWalletSessionOptions = {},
): Promise<WalletSession> {
  const now = options.now ?? defaultEnvironment().now
  await client.ready()
  const wanted = [...(options.resources ?? []), ...(options.recap ? [encodeRecap(options.recap)] : [])]
  const current = client.getSession()
  const account = options.account ?? (current?.capability ? current.capability.p.iss : undefined)
  if (current?.capability && account && client.hasSessionFor(account, { resources: wanted })) {
    return viewOf(current, now)
  }
  const session = await client.signIn(
    {
      ...(options.account ? { account: options.account } : {}),
      ...(options.provider ? { provider: options.provider } : {}),
      ...(options.resources ? { resources: options.resources } : {}),
      ...(options.recap ? { recap: options.recap } : {}),
      ...(options.expiresInSecs !== undefined ? { expiresInSecs: options.expiresInSecs } : {}),
      ...(options.statement !== undefined ? { statement: options.statement } : {}),
    },
    options.method ? { method: options.method } : undefined,
  )
  if (!session.capability) {
    throw new SessionError(
      'KEY_UNAVAILABLE',
      'The session has no capability: the client runs without session keys',
    )
  }
  return viewOf(session, now)
}

/**
 * did-session's `DIDSession.remove(account)`: signs out when the client's session belongs to
 * `account` (an address, `eip155:<chain>:<address>` or `did:pkh`); resolves true when it did.
 *
 * @example
 * ```ts
 * await removeWalletSession(client, 'eip155:1:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')
 * ```
 */
export async function removeWalletSession(client: SessionClient, account: string): Promise<boolean> {
  await client.ready()
  const session = client.getSession() ?? client.getAuthState().session
  if (!session || !sessionIsFor(session, account)) return false
  await client.signOut()
  return true
}
