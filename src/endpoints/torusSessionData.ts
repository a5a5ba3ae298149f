/**
 * Reads the `session_data` a Torus-style sessions endpoint returns: ECIES on secp256k1 (the
 * session id is the private key), AES-256-CBC with HMAC-SHA-256, as `@toruslabs/eccrypto` writes it.
 */
import { SessionError } from '../SessionError.js'
import { hexToBytes } from '../util/hex.js'
import { normalizeSessionId } from './credentialsFromTokenSet.js'

function tampered(cause?: unknown): SessionError {
  return new SessionError(
    'INVALID_SESSION',
    'The session data could not be decrypted: it was altered, or belongs to another session id',
    cause === undefined ? undefined : { cause },
  )
}

function field(o: Record<string, unknown>, key: string): Uint8Array {
  const value = o[key]
  const bytes = typeof value === 'string' ? hexToBytes(value) : null
  if (!bytes || bytes.length === 0) throw tampered()
  return bytes
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Keys from the shared point's x; eccrypto strips its leading zeros first (a legacy of bn.js), then retries padded. */
async function tryKeys(
  x: Uint8Array,
  macInput: Uint8Array<ArrayBuffer>,
  mac: Uint8Array<ArrayBuffer>,
): Promise<CryptoKey | null> {
  const subtle = globalThis.crypto.subtle
  const hash = new Uint8Array(await subtle.digest('SHA-512', new Uint8Array(x)))
  const macKey = await subtle.importKey('raw', hash.slice(32), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ])
  if (!(await subtle.verify('HMAC', macKey, mac, macInput))) return null
  return subtle.importKey('raw', hash.slice(0, 32), { name: 'AES-CBC' }, false, ['decrypt'])
}

/**
 * Decrypts Torus `session_data` with its session id and parses the JSON inside. The MAC is checked
 * before anything is decrypted; a blob that fails it is refused with `INVALID_SESSION`.
 *
 * Note what this scheme proves: only the session id's holder can read the data, but anyone who
 * knows the session's public key (the server does: it is the storage key) can write data that
 * passes the MAC. `tessera-session/session-data` uses a symmetric scheme without that gap.
 *
 * @example
 * ```ts
 * declare const sessionId: string // the token set's session_id
 * declare const response: { session_data: string } // the sessions endpoint's answer
 * const data = await decryptTorusSessionData(sessionId, response.session_data)
 * ```
 */
export async function decryptTorusSessionData(sessionId: string, sessionData: string): Promise<unknown> {
  const privateKey = hexToBytes(normalizeSessionId(sessionId)) as Uint8Array
  let envelope: Record<string, unknown>
  try {
    envelope = JSON.parse(sessionData) as Record<string, unknown>
  } catch (error) {
    throw tampered(error)
  }
  if (typeof envelope !== 'object' || envelope === null) throw tampered()
  const iv = field(envelope, 'iv')
  const ephemPublicKey = field(envelope, 'ephemPublicKey')
  const ciphertext = field(envelope, 'ciphertext')
  const mac = field(envelope, 'mac')
  if (iv.length !== 16) throw tampered()
  // secp256k1 math is not in WebCrypto: noble-curves (audited, no dependencies), loaded on first use.
  const { secp256k1 } = await import('@noble/curves/secp256k1.js')
  let x: Uint8Array
  try {
    x = secp256k1.getSharedSecret(privateKey, ephemPublicKey).slice(1)
  } catch (error) {
    throw tampered(error)
  }
  const macInput = concat(iv, ephemPublicKey, ciphertext)
  const firstNonZero = x.findIndex((b) => b !== 0)
  const unpadded = x.slice(Math.max(0, firstNonZero))
  const key =
    (await tryKeys(unpadded, macInput, concat(mac))) ??
    (unpadded.length === x.length ? null : await tryKeys(x, macInput, concat(mac)))
  if (!key) throw tampered()
  try {
    const plain = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-CBC', iv: concat(iv) },
      key,
      concat(ciphertext),
    )
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain))
  } catch (error) {
    throw tampered(error)
  }
}
