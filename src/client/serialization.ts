/** `serialize()` / `restore()`: a session as a versioned, checksummed string (DIDSession's serialize/fromSession). */

import { parseSessionRecord } from '../../machines/parseSessionData.js'
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { SessionError } from '../SessionError.js'

const PREFIX = 'tessera.v1.'

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64url(text: string): string {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
}

/** FNV-1a, 32 bit: catches edits and corruption of the string (not a forger; servers verify tokens). */
function checksum(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(36)
}

/**
 * Encodes a record as `tessera.v1.<base64url json>.<checksum>`.
 *
 * @example
 * ```ts
 * const text = serializeRecord(record) // store it in a file, a keychain, a cookie…
 * ```
 */
export function serializeRecord(record: SessionRecord): string {
  const body = base64url(JSON.stringify(record))
  return `${PREFIX}${body}.${checksum(body)}`
}

/**
 * Decodes and validates a string made by {@link serializeRecord}. Anything altered, truncated or
 * of another version is rejected with `INVALID_SESSION`.
 *
 * @example
 * ```ts
 * const record = deserializeRecord(text)
 * ```
 */
export function deserializeRecord(text: unknown): SessionRecord {
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) {
    throw new SessionError('INVALID_SESSION', 'Not a tessera session string (or an unsupported version)')
  }
  const [body, sum, ...rest] = text.slice(PREFIX.length).split('.')
  if (!body || !sum || rest.length > 0 || checksum(body) !== sum) {
    throw new SessionError('INVALID_SESSION', 'The session string was altered or truncated')
  }
  let value: unknown
  try {
    value = JSON.parse(fromBase64url(body))
  } catch (error) {
    throw new SessionError('INVALID_SESSION', 'The session string is not readable', { cause: error })
  }
  return parseSessionRecord(value)
}
