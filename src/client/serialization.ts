/**
 * `serialize()` / `restore()`: a session as a versioned string (DIDSession's serialize/fromSession),
 * signed by its session key so that an altered string is refused, optionally carrying the key.
 * Loaded on first use.
 */

import type { parseSessionRecord } from '../../machines/parseSessionData.js'
import type { SessionRecord } from '../../machines/sessionRecord.js'
import type { KeyStore, SessionKey } from '../keys/SessionKey.js'
import type { SessionError, SessionErrorCode } from '../SessionError.js'

/**
 * Options of `client.serialize()`.
 *
 * @example
 * ```ts
 * const text = await client.serialize({ includeKey: true }) // needs memoryKeyStore({ extractable: true })
 * ```
 */
export interface SerializeOptions {
  /**
   * Carry the session's private key (as a JWK) so that `restore()` in another process can sign
   * ID tokens and DPoP proofs. Needs an extractable key: otherwise `SessionError('KEY_NOT_EXTRACTABLE')`.
   * Whoever holds such a string holds the key: keep it like a password.
   */
  includeKey?: boolean
}

/**
 * What the client lends this lazily loaded module: its key store, its record parser and the error
 * class. Imported here, the parser and the error class would be split out of the core entry's
 * chunk into chunks of their own, costing bytes on every page load; handed in, they stay put.
 *
 * @example
 * ```ts
 * import { parseSessionRecord } from '../../machines/parseSessionData.js'
 * import { memoryKeyStore } from '../keys/memoryKeyStore.js'
 * import { SessionError } from '../SessionError.js'
 *
 * const deps: SerializationDeps = { keyStore: memoryKeyStore(), parse: parseSessionRecord, SessionError }
 * ```
 */
export interface SerializationDeps {
  keyStore: KeyStore | null
  parse: typeof parseSessionRecord
  SessionError: new (code: SessionErrorCode, message: string, options?: { cause?: unknown }) => SessionError
}

const PREFIX = 'tessera.v2.'
const ES256 = { name: 'ECDSA', hash: 'SHA-256' } as const
const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
/** The seal of a string without a session key: nothing vouches for it. */
const UNSEALED = '-'
const ALTERED = 'The session string was altered (or is not signed by its session key)'
const BAD_KEY = 'The included session key is not this session key'

const utf8 = (text: string) => new TextEncoder().encode(text)

function toBase64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

function subtle(deps: SerializationDeps): SubtleCrypto {
  const s = globalThis.crypto?.subtle
  if (!s) throw new deps.SessionError('KEY_UNAVAILABLE', 'No WebCrypto here')
  return s
}

/**
 * Encodes a record as `tessera.v2.<base64url json>.<seal>`. When the session has a key, the seal
 * is an ES256 signature by that key over `tessera.v2.<base64url json>`; without one the seal is
 * `-`, and the string is no integrity boundary (anyone can edit it).
 *
 * @example
 * ```ts
 * import type { SessionRecord } from '../../machines/sessionRecord.js'
 * import { parseSessionRecord } from '../../machines/parseSessionData.js'
 * import { memoryKeyStore } from '../keys/memoryKeyStore.js'
 * import { SessionError } from '../SessionError.js'
 *
 * declare const record: SessionRecord
 * const keyStore = memoryKeyStore({ extractable: true })
 * const text = await serializeRecord(record, { keyStore, parse: parseSessionRecord, SessionError }, { includeKey: true })
 * ```
 */
export async function serializeRecord(
  record: SessionRecord,
  deps: SerializationDeps,
  options: SerializeOptions = {},
): Promise<string> {
  if (!record.keyId) return `${PREFIX}${toBase64url(utf8(JSON.stringify({ record })))}.${UNSEALED}`
  const key = deps.keyStore ? await deps.keyStore.get(record.keyId) : null
  if (!key) throw new deps.SessionError('KEY_UNAVAILABLE', 'No session key to sign with')
  const payload: { record: SessionRecord; key?: JsonWebKey } = { record }
  if (options.includeKey) payload.key = await privateJwkOf(key, deps)
  const body = toBase64url(utf8(JSON.stringify(payload)))
  const signature = await subtle(deps).sign(ES256, key.privateKey, utf8(`${PREFIX}${body}`))
  return `${PREFIX}${body}.${toBase64url(new Uint8Array(signature))}`
}

async function privateJwkOf(key: SessionKey, deps: SerializationDeps): Promise<JsonWebKey> {
  if (!key.privateKey.extractable) {
    throw new deps.SessionError(
      'KEY_NOT_EXTRACTABLE',
      'The session key is not extractable: see memoryKeyStore({ extractable: true })',
    )
  }
  const { kty, crv, x, y, d } = await subtle(deps).exportKey('jwk', key.privateKey)
  return { kty, crv, x, y, d }
}

/**
 * Decodes, checks and returns a record made by {@link serializeRecord}. A signed string is verified
 * with the session key from the key store or, failing that, the key the string carries (which is
 * then imported into the key store); the record's `did` and key thumbprint must be that key's.
 * Anything altered, truncated, unsigned where a key exists, or of another version is
 * `INVALID_SESSION`; a signed string whose key is nowhere to be found is `KEY_UNAVAILABLE`
 * (nothing could check it).
 *
 * @example
 * ```ts
 * import { parseSessionRecord } from '../../machines/parseSessionData.js'
 * import { memoryKeyStore } from '../keys/memoryKeyStore.js'
 * import { SessionError } from '../SessionError.js'
 *
 * declare const text: string // from serializeRecord
 * const record = await deserializeRecord(text, { keyStore: memoryKeyStore(), parse: parseSessionRecord, SessionError })
 * ```
 */
export async function deserializeRecord(text: unknown, deps: SerializationDeps): Promise<SessionRecord> {
  const { keyStore } = deps
  const invalid = (message: string, cause?: unknown) =>
    new deps.SessionError('INVALID_SESSION', message, cause === undefined ? undefined : { cause })
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) throw invalid('Not a tessera.v2 session string')
  const [body, seal, ...rest] = text.slice(PREFIX.length).split('.')
  if (!body || !seal || rest.length > 0) throw invalid(ALTERED)
  let payload: { record?: unknown; key?: JsonWebKey }
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(body)))
  } catch (error) {
    throw invalid(ALTERED, error)
  }
  if (typeof payload !== 'object' || payload === null) throw invalid(ALTERED)
  const record = deps.parse(payload.record)
  const included = payload.key
  if (included !== undefined && (typeof included !== 'object' || included === null)) throw invalid(BAD_KEY)

  if (!record.keyId) {
    if (included !== undefined || seal !== UNSEALED) throw invalid(ALTERED)
    return record
  }

  const local = keyStore ? await keyStore.get(record.keyId) : null
  if (!local && !included) {
    throw new deps.SessionError('KEY_UNAVAILABLE', 'The session key is neither here nor in the string')
  }
  let valid = false
  try {
    const { kty, crv, x, y } = included ?? {}
    const verifier =
      local?.publicKey ?? (await subtle(deps).importKey('jwk', { kty, crv, x, y }, P256, true, ['verify']))
    valid = await subtle(deps).verify(ES256, verifier, fromBase64url(seal), utf8(`${PREFIX}${body}`))
  } catch (error) {
    throw invalid(ALTERED, error)
  }
  if (!valid) throw invalid(ALTERED)
  if (local && included && (included.x !== local.publicJwk.x || included.y !== local.publicJwk.y)) {
    throw invalid(BAD_KEY)
  }

  let key = local
  if (!key) {
    if (!keyStore?.import)
      throw new deps.SessionError('KEY_UNAVAILABLE', 'No key store here can keep the included key')
    key = await keyStore.import(record.keyId, included as JsonWebKey)
  }
  // Whichever key verified, it must be the one the session names.
  const { did, keyThumbprint } = record.session
  if (
    (did !== undefined && did !== key.did) ||
    (keyThumbprint !== undefined && keyThumbprint !== key.thumbprint)
  ) {
    if (!local) await keyStore?.delete(key.id)
    throw invalid(BAD_KEY)
  }
  return record
}
