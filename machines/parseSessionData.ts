/**
 * The one parser of untrusted session data. Everything that did not come from this tab's own
 * machine (storage reads, other tabs' messages, the refresh coordinator's shared marker,
 * `restore()` strings) passes through here before any guard sees it; unknown fields are dropped.
 */
import { parseCacao } from '../src/capability/cacao.js'
import { SessionError } from '../src/SessionError.js'
import type { Credentials, Session, SessionExpiredEvent } from '../src/session.js'
import { withoutUndefined } from '../src/util/withoutUndefined.js'
import type { PendingRedirect, SessionRecord, SessionRef, StoredSessionState } from './sessionRecord.js'

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
 * declare const text: string // JSON from storage or another tab
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
    name: string(o, 'name', 'session', true),
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
    sessionId: string(o, 'sessionId', 'credentials', true),
    expiresAt: finite(o, 'expiresAt', 'credentials', true),
    tokenType: string(o, 'tokenType', 'credentials', true),
    subject: string(o, 'subject', 'credentials', true),
    email: string(o, 'email', 'credentials', true),
    name: string(o, 'name', 'credentials', true),
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
 * declare const untrusted: { record: unknown } // a message from another tab
 * const record = parseSessionRecord(untrusted.record)
 * ```
 */
export function parseSessionRecord(value: unknown): SessionRecord {
  const o = object(value, 'record')
  const session = parseSession(o.session)
  const credentials = parseCredentials(o.credentials)
  if (credentials.accessToken !== session.accessToken) invalid('the session and its credentials disagree')
  if (typeof o.refreshable !== 'boolean') invalid('record.refreshable is not a boolean')
  // Records written before freshness was tracked (stored format 1) count as generation 0 of a
  // sign-in at their token's issue time.
  const issuedMs = session.issuedAt * 1000
  const generation = finite(o, 'generation', 'record', true) ?? 0
  if (!Number.isInteger(generation) || generation < 0) invalid('record.generation is not a count')
  const streak = finite(o, 'shortLivedStreak', 'record', true)
  if (streak !== undefined && (!Number.isInteger(streak) || streak < 0))
    invalid('record.shortLivedStreak is not a count')
  return withoutUndefined({
    session,
    credentials,
    refreshable: o.refreshable,
    keyId: string(o, 'keyId', 'record', true),
    signedInAt: finite(o, 'signedInAt', 'record', true) ?? issuedMs,
    generation,
    obtainedAt: finite(o, 'obtainedAt', 'record', true) ?? issuedMs,
    shortLivedStreak: streak,
  })
}

/**
 * Checks and copies a {@link SessionRef} (what a message or the coordinator's marker is about).
 *
 * @example
 * ```ts
 * declare const untrusted: { session: unknown } // a message from another tab
 * const ref = parseSessionRef(untrusted.session)
 * ```
 */
export function parseSessionRef(value: unknown): SessionRef {
  const o = object(value, 'session reference')
  const generation = finite(o, 'generation', 'session reference') as number
  if (!Number.isInteger(generation) || generation < 0) invalid('session reference.generation is not a count')
  return {
    id: string(o, 'id', 'session reference') as string,
    signedInAt: finite(o, 'signedInAt', 'session reference') as number,
    generation,
    obtainedAt: finite(o, 'obtainedAt', 'session reference') as number,
  }
}

/**
 * Checks and copies a {@link SessionExpiredEvent} (from storage or another tab).
 *
 * @example
 * ```ts
 * declare const untrusted: { expired: unknown } // a message from another tab
 * const event = parseExpiredEvent(untrusted.expired)
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
    state: string(o, 'state', 'pendingRedirect', true),
  })
}

/**
 * The version of the stored envelope; bump it when the shape changes. Version 2 added the
 * freshness of records, the sign-out horizon and generation stamps on split-off token slots.
 */
export const STORED_STATE_VERSION = 2

/**
 * Parses the stored envelope `{ v, record?, expired?, pendingRedirect? }`.
 *
 * @example
 * ```ts
 * const state = parseStoredState(JSON.parse(localStorage.getItem('tessera:shop:session')!))
 * ```
 */
export function parseStoredState(value: unknown): StoredSessionState & { version: number } {
  const o = object(value, 'stored state')
  if (o.v !== 1 && o.v !== STORED_STATE_VERSION) invalid(`unknown version ${String(o.v)}`)
  const optional = <T>(v: unknown, parse: (x: unknown) => T) =>
    v === undefined || v === null ? null : parse(v)
  return {
    version: o.v,
    record: optional(o.record, parseSessionRecord),
    expired: optional(o.expired, parseExpiredEvent),
    pendingRedirect: optional(o.pendingRedirect, parsePending),
    signedOut: optional(o.signedOut, parseSessionRef),
  }
}

/**
 * A message from another tab, checked: it names the session it is about.
 *
 * @example
 * ```ts
 * declare const event: MessageEvent
 * const message: ParsedSyncMessage = parseSyncMessage(event.data)
 * ```
 */
export type ParsedSyncMessage =
  | { type: 'session'; record: SessionRecord; from: string }
  | { type: 'signedOut'; session: SessionRef | null; from: string }
  | { type: 'expired'; expired: SessionExpiredEvent; session: SessionRef; from: string }

/**
 * Checks a message from another tab (see `SyncMessage`); throws `INVALID_SESSION` when it is not one.
 *
 * @example
 * ```ts
 * import { broadcastChannelSync } from 'tessera-session'
 *
 * broadcastChannelSync('tessera', 'shop').subscribe((data) => {
 *   const message = parseSyncMessage(data) // throws INVALID_SESSION when it is not a message
 *   if (message.type === 'signedOut') console.log('tab', message.from, 'signed out')
 * })
 * ```
 */
export function parseSyncMessage(value: unknown): ParsedSyncMessage {
  const o = object(value, 'message')
  const sender = string(o, 'from', 'message') as string
  if (o.type === 'session') return { type: 'session', record: parseSessionRecord(o.record), from: sender }
  if (o.type === 'signedOut') {
    return { type: 'signedOut', session: o.session == null ? null : parseSessionRef(o.session), from: sender }
  }
  if (o.type === 'expired') {
    const expired = parseExpiredEvent(o.expired)
    const session = parseSessionRef(o.session)
    if (session.id !== expired.session.id) invalid('the expired message names two sessions')
    return { type: 'expired', expired, session, from: sender }
  }
  return invalid(`message.type ${JSON.stringify(o.type)}`)
}
