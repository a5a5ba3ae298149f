/** Turns a method's credentials into the session record the machine holds. */

import { SHORT_LIVED_SECONDS } from '../../machines/refreshSchedule.js'
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { decodeJwtClaims } from '../jws/decodeJwtClaims.js'
import type { SessionKey } from '../keys/SessionKey.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { withoutUndefined } from '../util/withoutUndefined.js'

/**
 * What a new record needs besides the credentials.
 *
 * @example
 * ```ts
 * const options: BuildRecordOptions = { methodId: 'oidc', refreshable: true, now: Date.now(), issuedNow: true }
 * ```
 */
export interface BuildRecordOptions {
  methodId: string
  refreshable: boolean
  now: number
  /**
   * The tokens were minted for this very request (a refresh). A JWT's `iat` then tells how far
   * this client's clock is off, and its lifetime is counted from now. Not for a sign-in: there an
   * old `iat` may as well be an old token (refused when it cannot be refreshed).
   */
  issuedNow?: boolean
  /** The record being refreshed: its id, identity and any token the refresh did not rotate carry over. */
  previous?: SessionRecord
  key?: SessionKey | null
}

/** A clock further off than this (ms) from a fresh token's `iat` is taken as skew, not latency. */
const CLOCK_SKEW_TOLERANCE_MS = 60_000

const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined)

/** `Bearer` and `DPoP` as RFC 6750 and RFC 9449 spell them, whatever case the server used. */
function normalizeTokenType(type: string | undefined): string {
  if (type === undefined) return 'Bearer'
  const lower = type.toLowerCase()
  if (lower === 'dpop') return 'DPoP'
  if (lower === 'bearer') return 'Bearer'
  return type
}

/**
 * Expiry in unix seconds: the method's `expiresAt`, else the JWT's `exp`. For a token issued just
 * now whose `iat` shows this client's clock is off, the lifetime (`exp - iat`) counts from now.
 */
function expiryOf(
  credentials: Credentials,
  claims: Record<string, unknown> | null,
  options: BuildRecordOptions,
) {
  if (credentials.expiresAt !== undefined) return credentials.expiresAt
  const exp = claims?.exp
  if (typeof exp !== 'number') return undefined
  const iat = claims?.iat
  if (
    options.issuedNow &&
    typeof iat === 'number' &&
    Math.abs(options.now - iat * 1000) > CLOCK_SKEW_TOLERANCE_MS
  ) {
    return Math.floor(options.now / 1000) + (exp - iat)
  }
  return exp
}

/**
 * Validates credentials and builds a {@link SessionRecord}. Expiry comes from `expiresAt`, else
 * from the access token's `exp`; a token with neither, or one that cannot refresh and has already
 * expired, is rejected with `INVALID_TOKEN`. A refresh keeps the session's id and subject: a
 * refresh that names another subject is rejected with `INVALID_RESPONSE`.
 *
 * @example
 * ```ts
 * declare const jwt: string // an access token with an `exp` claim
 * const record = buildSessionRecord({ accessToken: jwt }, { methodId: 'password', refreshable: false, now: Date.now() })
 * ```
 */
export function buildSessionRecord(credentials: Credentials, options: BuildRecordOptions): SessionRecord {
  if (typeof credentials?.accessToken !== 'string' || credentials.accessToken.length === 0) {
    throw new SessionError('INVALID_TOKEN', 'The credentials have no access token')
  }
  const previous = options.previous
  // A refresh that does not rotate the refresh token (or omits identity) keeps what we had.
  const merged: Credentials = previous
    ? { ...previous.credentials, ...withoutUndefined(credentials) }
    : credentials
  if (previous && credentials.expiresAt === undefined) delete merged.expiresAt
  const claims = decodeJwtClaims(merged.accessToken)
  const expiresAt = expiryOf(merged, claims, options)
  if (expiresAt === undefined || !Number.isFinite(expiresAt)) {
    throw new SessionError(
      'INVALID_TOKEN',
      'The access token has no expiry: pass expiresAt or use a JWT with exp',
    )
  }
  const nowSeconds = Math.floor(options.now / 1000)
  if (!previous && !options.refreshable && expiresAt <= nowSeconds) {
    throw new SessionError(
      'INVALID_TOKEN',
      'The access token has already expired and the method cannot refresh it',
    )
  }
  const subject = merged.subject ?? text(claims?.sub) ?? merged.address ?? previous?.session.subject
  if (!subject) {
    throw new SessionError(
      'INVALID_TOKEN',
      'The credentials name no subject: pass subject or use a JWT with sub',
    )
  }
  if (previous && subject !== previous.session.subject) {
    throw new SessionError('INVALID_RESPONSE', 'The refresh answered for another subject than the session’s')
  }
  const key = options.key ?? null
  const lifetime = expiresAt - nowSeconds
  const session = withoutUndefined({
    id: previous?.session.id ?? globalThis.crypto.randomUUID(),
    subject,
    method: options.methodId,
    accessToken: merged.accessToken,
    tokenType: normalizeTokenType(merged.tokenType),
    issuedAt: nowSeconds,
    expiresAt,
    // Standard claims fill the session when the method did not say.
    email: merged.email ?? text(claims?.email),
    name: merged.name ?? text(claims?.name),
    address: merged.address,
    authorizations: merged.authorizations,
    claims: merged.claims,
    did: key?.did ?? previous?.session.did,
    keyThumbprint: key?.thumbprint ?? previous?.session.keyThumbprint,
    // A refresh keeps the capability: it is the wallet's, not the token server's.
    capability: merged.capability,
  })
  return withoutUndefined({
    session,
    credentials: merged,
    refreshable: options.refreshable,
    keyId: key?.id ?? previous?.keyId,
    signedInAt: previous?.signedInAt ?? options.now,
    generation: previous ? previous.generation + 1 : 0,
    obtainedAt: options.now,
    // Only tokens a refresh just minted count towards the floor: a token the app hands over
    // already expired (setTokens, a sign-in) is refreshed at once, not a second later.
    shortLivedStreak:
      options.issuedNow && lifetime < SHORT_LIVED_SECONDS ? (previous?.shortLivedStreak ?? 0) + 1 : undefined,
  })
}
