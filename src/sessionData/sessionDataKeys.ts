/**
 * The cryptography of server-backed session data: from one 32-byte random session id, HKDF-SHA-256
 * derives a lookup id (what the server sees) and an AES-256-GCM key (what only id holders have);
 * blobs are sealed with a fresh IV and bound to their namespace and lookup id.
 *
 * Why not Torus's scheme: Torus uses the session id as a secp256k1 private key, files the data
 * under its public key and encrypts with ECIES to that public key. The server therefore holds the
 * only thing needed to write data that decrypts cleanly, so a reader cannot tell the server's (or
 * anyone's with the public key) forgery from the app's own data. Here both derived values are
 * one-way from the id: the server can neither read nor forge a blob, and WebCrypto does it all
 * (no secp256k1 library).
 */
import { base64url } from 'jose'
import { SessionError } from '../SessionError.js'
import { bytesToHex, hexToBytes } from '../util/hex.js'

const VERSION = 'v1'
const LOOKUP_INFO = 'tessera-session-data v1 lookup id'
const KEY_INFO = 'tessera-session-data v1 aes-256-gcm key'
const SESSION_ID = /^0x[0-9a-f]{64}$/

/**
 * A session id's derived values. `key` is non-extractable.
 *
 * @example
 * ```ts
 * const { lookupId, key }: SessionDataKeys = await deriveSessionDataKeys(generateSessionDataId())
 * ```
 */
export interface SessionDataKeys {
  /** 64 hex digits: the name the server files the blob under. Reveals nothing about the key. */
  lookupId: string
  key: CryptoKey
}

/**
 * A new session id: 32 random bytes from WebCrypto as `0x` and 64 hex digits (Torus's
 * `generateRandomSessionKey()` format). It is the secret that reads the data: share it only with
 * who should read it, never with the server.
 *
 * @example
 * ```ts
 * const sessionId = generateSessionDataId() // '0x3f9c…'
 * ```
 */
export function generateSessionDataId(): string {
  return `0x${bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)))}`
}

/**
 * The canonical form of a session id (`0x`, lowercase). Anything but 32 bytes of hex is refused
 * with `INVALID_PARAMS`: a shorter id would be a weaker key (Torus pads short ids instead).
 *
 * @example
 * ```ts
 * parseSessionDataId('0xABCD…') // '0xabcd…'
 * ```
 */
export function parseSessionDataId(sessionId: string): string {
  const canonical = typeof sessionId === 'string' ? sessionId.toLowerCase() : ''
  const withPrefix = canonical.startsWith('0x') ? canonical : `0x${canonical}`
  if (!SESSION_ID.test(withPrefix)) {
    throw new SessionError(
      'INVALID_PARAMS',
      'The session id must be 32 bytes of hex (generateSessionDataId())',
    )
  }
  return withPrefix
}

/**
 * Derives the lookup id and the AES-GCM key of a session id (HKDF-SHA-256, empty salt: the id is
 * already uniformly random; distinct `info` strings keep the two outputs independent).
 *
 * @example
 * ```ts
 * const keys = await deriveSessionDataKeys(generateSessionDataId())
 * ```
 */
export async function deriveSessionDataKeys(sessionId: string): Promise<SessionDataKeys> {
  const subtle = globalThis.crypto.subtle
  const ikm = hexToBytes(parseSessionDataId(sessionId)) as Uint8Array<ArrayBuffer>
  const base = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits', 'deriveKey'])
  const params = (info: string) => ({
    name: 'HKDF',
    hash: 'SHA-256',
    salt: new Uint8Array(0),
    info: new TextEncoder().encode(info),
  })
  const lookup = await subtle.deriveBits(params(LOOKUP_INFO), base, 256)
  const key = await subtle.deriveKey(params(KEY_INFO), base, { name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ])
  return { lookupId: bytesToHex(new Uint8Array(lookup)), key }
}

/** The associated data: a blob opens only under the namespace and lookup id it was sealed for. */
function associatedData(namespace: string, lookupId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`tessera-session-data ${VERSION}\n${namespace}\n${lookupId}`)
}

/**
 * Encrypts `data` (JSON) as `v1.<iv>.<ciphertext and tag>` (base64url), with a fresh 96-bit IV.
 *
 * @example
 * ```ts
 * const keys = await deriveSessionDataKeys(generateSessionDataId())
 * const blob = await sealSessionData(keys, 'my-app', { userId: '123' })
 * ```
 */
export async function sealSessionData(
  keys: SessionDataKeys,
  namespace: string,
  data: unknown,
): Promise<string> {
  const json = JSON.stringify(data)
  if (json === undefined) throw new SessionError('INVALID_PARAMS', 'Session data must be JSON')
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: associatedData(namespace, keys.lookupId) },
    keys.key,
    new TextEncoder().encode(json),
  )
  return `${VERSION}.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(sealed))}`
}

/**
 * Decrypts and authenticates a blob made by {@link sealSessionData}. A blob that was altered,
 * moved to another id or namespace, or is not a blob at all is refused with `INVALID_SESSION`.
 *
 * @example
 * ```ts
 * declare const sessionId: string
 * declare const blob: string // from sealSessionData, under the same id and namespace
 * const keys = await deriveSessionDataKeys(sessionId)
 * const data = await openSessionData(keys, 'my-app', blob)
 * ```
 */
export async function openSessionData(
  keys: SessionDataKeys,
  namespace: string,
  blob: string,
): Promise<unknown> {
  const refused = (cause?: unknown) =>
    new SessionError(
      'INVALID_SESSION',
      'The session data failed authentication: it was altered, or belongs to another session',
      cause === undefined ? undefined : { cause },
    )
  const parts = typeof blob === 'string' ? blob.split('.') : []
  if (parts.length !== 3 || parts[0] !== VERSION) throw refused()
  let iv: Uint8Array<ArrayBuffer>
  let sealed: Uint8Array<ArrayBuffer>
  try {
    iv = new Uint8Array(base64url.decode(parts[1] as string))
    sealed = new Uint8Array(base64url.decode(parts[2] as string))
  } catch (error) {
    throw refused(error)
  }
  if (iv.length !== 12 || sealed.length < 16) throw refused()
  let plain: ArrayBuffer
  try {
    plain = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: associatedData(namespace, keys.lookupId) },
      keys.key,
      sealed,
    )
  } catch (error) {
    throw refused(error)
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain))
  } catch (error) {
    throw refused(error)
  }
}
