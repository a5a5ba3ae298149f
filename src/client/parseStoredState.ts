/** Validates untrusted session data (storage, serialized strings, other tabs) before the machine sees it. */
import type { PendingRedirect, SessionRecord, StoredSessionState } from '../../machines/sessionRecord.js'
import { parseCacao } from '../capability/cacao.js'
import { SessionError } from '../SessionError.js'
import type { Credentials, Session, SessionExpiredEvent } from '../session.js'
import { withoutUndefined } from '../util/withoutUndefined.js'

type Json = Record<string, unknown>

function invalid(what: string): never {
  throw new SessionError('INVALID_SESSION', `Invalid session data: ${what}`)
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(`${what} is not an object`)
  return value as Json
}

function string(o: Json, key: string, what: string, optional = false): string | undefined {
  const v = o[key]
  if (v === undefined && optional) return undefined
  if (typeof v !== 'string' || v.length === 0) invalid(`${what}.${key} is not a string`)
  return v
}

function finite(o: Json, key: string, what: string, optional = false): number | undefined {
  const v = o[key]
  if (v === undefined && optional) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v)) invalid(`${what}.${key} is not a number`)
  return v
}

function stringArray(o: Json, key: string, what: string): string[] | undefined {
  const v = o[key]
  if (v === undefined) return undefined
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    invalid(`${what}.${key} is not a string array`)
  return v as string[]
}

function claims(o: Json, key: string, what: string): Record<string, unknown> | undefined {
  return o[key] === undefined ? undefined : object(o[key], `${what}.${key}`)
}

/**
 * Checks and copies a {@link Session}, dropping unknown fields.
 *
 * @example
 * ```ts
 * const session = parseSession(JSON.parse(text))
 * ```
 */
export function parseSession(value: unknown): Session {
  const o = object(value, 'session')
  const issuedAt = finite(o, 'issuedAt', 'session') as number
  const expiresAt = finite(o, 'expiresAt', 'session') as number
  if (expiresAt < issuedAt) invalid('session expires before it was issued')
  return withoutUndefined({
    id: string(o, 'id', 'session') as string,
    subject: string(o, 'subject', 'session') as string,
    method: string(o, 'method', 'session') as string,
    accessToken: string(o, 'accessToken', 'session') as string,
    tokenType: string(o, 'tokenType', 'session') as string,
    issuedAt,
    expiresAt,
    email: string(o, 'email', 'session', true),
    address: string(o, 'address', 'session', true),
    authorizations: stringArray(o, 'authorizations', 'session'),
    claims: claims(o, 'claims', 'session'),
    did: string(o, 'did', 'session', true),
    keyThumbprint: string(o, 'keyThumbprint', 'session', true),
    capability: o.capability === undefined ? undefined : parseCacao(o.capability, 'INVALID_SESSION'),
  })
}

function parseCredentials(value: unknown): Credentials {
  const o = object(value, 'credentials')
  return withoutUndefined({
    accessToken: string(o, 'accessToken', 'credentials') as string,
    refreshToken: string(o, 'refreshToken', 'credentials', true),
    idToken: string(o, 'idToken', 'credentials', true),
    expiresAt: finite(o, 'expiresAt', 'credentials', true),
    tokenType: string(o, 'tokenType', 'credentials', true),
    subject: string(o, 'subject', 'credentials', true),
    email: string(o, 'email', 'credentials', true),
    address: string(o, 'address', 'credentials', true),
    authorizations: stringArray(o, 'authorizations', 'credentials'),
    claims: claims(o, 'claims', 'credentials'),
    capability: o.capability === undefined ? undefined : parseCacao(o.capability, 'INVALID_SESSION'),
  })
}

/**
 * Checks and copies a {@link SessionRecord}. The session and its credentials must agree on the token.
 *
 * @example
 * ```ts
 * const record = parseSessionRecord(message.record)
 * ```
 */
export function parseSessionRecord(value: unknown): SessionRecord {
  const o = object(value, 'record')
  const session = parseSession(o.session)
  const credentials = parseCredentials(o.credentials)
  if (credentials.accessToken !== session.accessToken) invalid('the session and its credentials disagree')
  if (typeof o.refreshable !== 'boolean') invalid('record.refreshable is not a boolean')
  return withoutUndefined({
    session,
    credentials,
    refreshable: o.refreshable,
    keyId: string(o, 'keyId', 'record', true),
  })
}

/**
 * Checks and copies a {@link SessionExpiredEvent} (from storage or another tab).
 *
 * @example
 * ```ts
 * const event = parseExpiredEvent(message.expired)
 * ```
 */
export function parseExpiredEvent(value: unknown): SessionExpiredEvent {
  const o = object(value, 'expired')
  const reason = o.reason
  if (reason !== 'expired' && reason !== 'refresh_rejected' && reason !== 'refresh_failed')
    invalid('expired.reason')
  return { session: parseSession(o.session), expiredAt: finite(o, 'expiredAt', 'expired') as number, reason }
}

function parsePending(value: unknown): PendingRedirect {
  const o = object(value, 'pendingRedirect')
  return withoutUndefined({
    methodId: string(o, 'methodId', 'pendingRedirect') as string,
    startedAt: finite(o, 'startedAt', 'pendingRedirect') as number,
    expiresAt: finite(o, 'expiresAt', 'pendingRedirect') as number,
    keyId: string(o, 'keyId', 'pendingRedirect', true),
  })
}

/** The version of the stored envelope; bump it when the shape changes. */
export const STORED_STATE_VERSION = 1

/**
 * Parses the stored envelope `{ v, record?, expired?, pendingRedirect? }`.
 *
 * @example
 * ```ts
 * const state = parseStoredState(JSON.parse(localStorage.getItem('tessera:shop:session')!))
 * ```
 */
export function parseStoredState(value: unknown): StoredSessionState {
  const o = object(value, 'stored state')
  if (o.v !== STORED_STATE_VERSION) invalid(`unknown version ${String(o.v)}`)
  return {
    record: o.record === undefined || o.record === null ? null : parseSessionRecord(o.record),
    expired: o.expired === undefined || o.expired === null ? null : parseExpiredEvent(o.expired),
    pendingRedirect:
      o.pendingRedirect === undefined || o.pendingRedirect === null ? null : parsePending(o.pendingRedirect),
  }
}
