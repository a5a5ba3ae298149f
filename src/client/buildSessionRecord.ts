/** Turns a method's credentials into the session record the machine holds. */
import { decodeJwt } from 'jose'
import type { SessionRecord } from '../../machines/sessionRecord.js'
import type { SessionKey } from '../keys/SessionKey.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { withoutUndefined } from '../util/withoutUndefined.js'

/**
 * What a new record needs besides the credentials.
 *
 * @example
 * ```ts
 * const options: BuildRecordOptions = { methodId: 'oidc', refreshable: true, now: Date.now() }
 * ```
 */
export interface BuildRecordOptions {
  methodId: string
  refreshable: boolean
  now: number
  /** The record being refreshed: its id, identity and any token the refresh did not rotate carry over. */
  previous?: SessionRecord
  key?: SessionKey | null
}

function jwtClaims(token: string): Record<string, unknown> | null {
  try {
    return decodeJwt(token)
  } catch {
    return null
  }
}

/**
 * Validates credentials and builds a {@link SessionRecord}. Expiry comes from `expiresAt`, else
 * from the access token's `exp`; a token with neither is rejected with `INVALID_TOKEN`.
 *
 * @example
 * ```ts
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
  const claims = jwtClaims(merged.accessToken)
  const expiresAt = merged.expiresAt ?? (typeof claims?.exp === 'number' ? claims.exp : undefined)
  if (expiresAt === undefined || !Number.isFinite(expiresAt)) {
    throw new SessionError(
      'INVALID_TOKEN',
      'The access token has no expiry: pass expiresAt or use a JWT with exp',
    )
  }
  const subject =
    merged.subject ??
    (typeof claims?.sub === 'string' ? claims.sub : undefined) ??
    merged.address ??
    previous?.session.subject
  if (!subject) {
    throw new SessionError(
      'INVALID_TOKEN',
      'The credentials name no subject: pass subject or use a JWT with sub',
    )
  }
  const nowSeconds = Math.floor(options.now / 1000)
  const key = options.key ?? null
  const keyId = key?.id ?? previous?.keyId
  const session = withoutUndefined({
    id:
      previous && previous.session.subject === subject ? previous.session.id : globalThis.crypto.randomUUID(),
    subject,
    method: options.methodId,
    accessToken: merged.accessToken,
    tokenType: merged.tokenType ?? 'Bearer',
    issuedAt: Math.min(nowSeconds, expiresAt),
    expiresAt,
    email: merged.email,
    address: merged.address,
    authorizations: merged.authorizations,
    claims: merged.claims,
    did: key?.did ?? previous?.session.did,
    keyThumbprint: key?.thumbprint ?? previous?.session.keyThumbprint,
    // A refresh keeps the capability: it is the wallet's, not the token server's.
    capability: merged.capability,
  })
  return withoutUndefined({ session, credentials: merged, refreshable: options.refreshable, keyId })
}
