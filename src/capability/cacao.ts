/** CACAO (CAIP-74): the object capability a wallet signs to delegate to a session key, and its parser. */
import { SessionError, type SessionErrorCode } from '../SessionError.js'

/**
 * The signed payload of a CACAO: the fields of the EIP-4361 message it was made from. Times are
 * RFC 3339 strings, exactly as they appear in the message.
 *
 * @example
 * ```ts
 * const p: CacaoPayload = { domain: 'dapp.example', iss: 'did:pkh:eip155:1:0x…', aud: 'did:key:zDn…', version: '1', nonce: 'k3j4h5g6f7', iat: '2026-01-01T00:00:00.000Z' }
 * ```
 */
export interface CacaoPayload {
  domain: string
  /** `did:pkh:eip155:<chainId>:<address>`: the account that delegates. */
  iss: string
  /** The delegate: the session key's `did:key` (the message's `URI`). */
  aud: string
  version: string
  nonce: string
  iat: string
  nbf?: string
  exp?: string
  statement?: string
  requestId?: string
  resources?: string[]
}

/**
 * A wallet's signed capability for a session key, as CAIP-74 JSON (what did-session keeps as
 * `session.cacao`). `s.t` is `eip191` for an externally owned account, `eip1271` for a contract wallet.
 *
 * @example
 * ```ts
 * const capability: Cacao | undefined = client.getSession()?.capability
 * capability?.p.resources // ['ceramic://*']
 * ```
 */
export interface Cacao {
  h: { t: 'eip4361' }
  p: CacaoPayload
  s: { t: 'eip191' | 'eip1271'; s: string }
}

/**
 * Checks and copies a CACAO from untrusted JSON (storage, a serialized session, a request),
 * dropping unknown fields. Throws `SessionError(code)` on anything malformed.
 *
 * @example
 * ```ts
 * declare const text: string // a CACAO as JSON, from a request or storage
 * const cacao = parseCacao(JSON.parse(text), 'INVALID_CAPABILITY')
 * ```
 */
export function parseCacao(value: unknown, code: SessionErrorCode): Cacao {
  const fail = (what: string): never => {
    throw new SessionError(code, `Invalid capability (CACAO): ${what}`)
  }
  // Short on purpose: this runs in the core entry on every stored session.
  const v = (value ?? {}) as {
    h?: { t?: unknown }
    p?: Record<string, unknown>
    s?: { t?: unknown; s?: unknown }
  }
  if (v.h?.t !== 'eip4361') fail('h.t')
  if ((v.s?.t !== 'eip191' && v.s?.t !== 'eip1271') || !/^0x[0-9a-fA-F]+$/.test(String(v.s?.s))) fail('s')
  const p: Record<string, unknown> = {}
  const keys = ['domain', 'iss', 'aud', 'version', 'nonce', 'iat', 'nbf', 'exp', 'statement', 'requestId']
  for (const [i, key] of keys.entries()) {
    const field = v.p?.[key]
    if (field === undefined && i >= 6) continue // the last four are optional
    if (typeof field !== 'string' || field === '') fail(`p.${key}`)
    p[key] = field
  }
  const resources = v.p?.resources
  if (resources !== undefined) {
    if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string' && r !== ''))
      fail('p.resources')
    p.resources = [...(resources as string[])]
  }
  return {
    h: { t: 'eip4361' },
    p: p as unknown as CacaoPayload,
    s: { t: v.s?.t as 'eip191', s: v.s?.s as string },
  }
}

/**
 * The account a `did:pkh:eip155` issuer names, or null for any other issuer.
 *
 * @example
 * ```ts
 * pkhAccount('did:pkh:eip155:1:0xabc…') // { chainId: 1, address: '0xabc…' }
 * ```
 */
export function pkhAccount(iss: string): { chainId: number; address: string } | null {
  const m = /^did:pkh:eip155:([1-9][0-9]*):(0x[0-9a-fA-F]{40})$/.exec(iss)
  return m ? { chainId: Number(m[1]), address: m[2] as string } : null
}

/**
 * Unix seconds of an RFC 3339 time in a CACAO, or undefined when absent or unreadable.
 *
 * @example
 * ```ts
 * cacaoTime('2026-01-08T00:00:00.000Z') // 1767830400
 * cacaoTime(client.getSession()?.capability?.p.exp) // when the wallet's capability ends
 * ```
 */
export function cacaoTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms / 1000 : undefined
}
