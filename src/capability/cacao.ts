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

type Json = Record<string, unknown>

/**
 * Checks and copies a CACAO from untrusted JSON (storage, a serialized session, a request),
 * dropping unknown fields. Throws `SessionError(code)` on anything malformed.
 *
 * @example
 * ```ts
 * const cacao = parseCacao(JSON.parse(text), 'INVALID_CAPABILITY')
 * ```
 */
export function parseCacao(value: unknown, code: SessionErrorCode): Cacao {
  const fail = (what: string): never => {
    throw new SessionError(code, `Invalid capability (CACAO): ${what}`)
  }
  const object = (v: unknown, what: string): Json =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : fail(`${what} is not an object`)
  const o = object(value, 'the capability')
  const h = object(o.h, 'h')
  const p = object(o.p, 'p')
  const s = object(o.s, 's')
  if (h.t !== 'eip4361') fail('h.t is not eip4361')
  if (s.t !== 'eip191' && s.t !== 'eip1271') fail('s.t is neither eip191 nor eip1271')
  if (typeof s.s !== 'string' || !/^0x[0-9a-fA-F]+$/.test(s.s)) fail('s.s is not a hex signature')
  const text = (key: string, optional: boolean): string | undefined => {
    const v = p[key]
    if (v === undefined && optional) return undefined
    return typeof v === 'string' && v.length > 0 ? v : fail(`p.${key} is not a string`)
  }
  const resources = p.resources
  if (
    resources !== undefined &&
    (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string' || r.length === 0))
  )
    fail('p.resources is not a list of strings')
  const payload: CacaoPayload = {
    domain: text('domain', false) as string,
    iss: text('iss', false) as string,
    aud: text('aud', false) as string,
    version: text('version', false) as string,
    nonce: text('nonce', false) as string,
    iat: text('iat', false) as string,
  }
  for (const key of ['nbf', 'exp', 'statement', 'requestId'] as const) {
    const v = text(key, true)
    if (v !== undefined) payload[key] = v
  }
  if (resources !== undefined) payload.resources = [...(resources as string[])]
  return { h: { t: 'eip4361' }, p: payload, s: { t: s.t as 'eip191' | 'eip1271', s: s.s as string } }
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
 * cacaoTime(cacao.p.exp) // 1767830400
 * ```
 */
export function cacaoTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms / 1000 : undefined
}
