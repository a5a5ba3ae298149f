/** Turns the token set an app's auth backend hands over (Torus's snake_case shape) into tessera {@link Credentials}. */
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { withoutUndefined } from '../util/withoutUndefined.js'

/**
 * A token set as Torus's auth service hands it over after login (its README: `session_id`,
 * `access_token`, `refresh_token`, `id_token`), optionally with an expiry. The camelCase keys of
 * Torus's TypeScript `AuthTokens` type (`sessionId`, `accessToken`, …) are accepted too, since its
 * `setTokens` really reads those.
 *
 * @example
 * ```ts
 * const set: TokenSet = { session_id: 'a1b2…', access_token: 'eyJhbGciOi…', refresh_token: 'r1…', id_token: 'eyJ…' }
 * ```
 */
export interface TokenSet {
  session_id?: string
  access_token?: string
  refresh_token?: string
  /** The identity provider's ID token. */
  id_token?: string
  /** Unix seconds. */
  expires_at?: number
  /** Seconds from `now` (pass `now` to {@link credentialsFromTokenSet}). */
  expires_in?: number
  token_type?: string
  sessionId?: string
  accessToken?: string
  refreshToken?: string
  idToken?: string
}

/**
 * Options of {@link credentialsFromTokenSet}.
 *
 * @example
 * ```ts
 * const options: TokenSetOptions = { now: Date.now() }
 * ```
 */
export interface TokenSetOptions {
  /** Milliseconds since the epoch; needed only to turn `expires_in` into an expiry. */
  now?: number
}

const HEX_SESSION_ID = /^(?:0x)?([0-9a-fA-F]{1,64})$/

/**
 * The canonical form of a Torus session id: `0x` and 64 lowercase hex digits (shorter ids are
 * left-padded with zeros, as Torus pads them). Torus silently cuts ids longer than 32 bytes; this
 * refuses them with `INVALID_PARAMS`, since a cut id would key different session data.
 *
 * @example
 * ```ts
 * normalizeSessionId('ABC') // '0x0000…0abc'
 * ```
 */
export function normalizeSessionId(sessionId: string): string {
  const match = HEX_SESSION_ID.exec(sessionId)
  if (!match?.[1]) {
    throw new SessionError('INVALID_PARAMS', 'session_id must be a hex string of at most 32 bytes')
  }
  return `0x${match[1].toLowerCase().padStart(64, '0')}`
}

/** One field under either spelling; both given and different is a caller's bug. */
function pick(set: TokenSet, snake: keyof TokenSet, camel: keyof TokenSet): string | undefined {
  const a = set[snake]
  const b = set[camel]
  for (const [key, value] of [
    [snake, a],
    [camel, b],
  ] as const) {
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new SessionError('INVALID_PARAMS', `${key} must be a string`)
    }
  }
  // Torus skips empty strings rather than storing them; so do we.
  const snakeValue = typeof a === 'string' && a.length > 0 ? a : undefined
  const camelValue = typeof b === 'string' && b.length > 0 ? b : undefined
  if (snakeValue !== undefined && camelValue !== undefined && snakeValue !== camelValue) {
    throw new SessionError('INVALID_PARAMS', `${snake} and ${camel} disagree`)
  }
  return snakeValue ?? camelValue
}

function expiry(set: TokenSet, now: number | undefined): number | undefined {
  if (set.expires_at !== undefined) {
    if (typeof set.expires_at !== 'number' || !Number.isFinite(set.expires_at)) {
      throw new SessionError('INVALID_PARAMS', 'expires_at must be a number (unix seconds)')
    }
    return set.expires_at
  }
  if (set.expires_in !== undefined) {
    if (typeof set.expires_in !== 'number' || !Number.isFinite(set.expires_in)) {
      throw new SessionError('INVALID_PARAMS', 'expires_in must be a number of seconds')
    }
    if (now === undefined) {
      throw new SessionError('INVALID_PARAMS', 'expires_in needs the current time: pass { now }')
    }
    return Math.floor(now / 1000) + set.expires_in
  }
  return undefined
}

/**
 * Maps a {@link TokenSet} to {@link Credentials}, for `client.setTokens(…)`. Pure: it reads no
 * clock and no storage. `session_id` becomes `sessionId` (canonical, see
 * {@link normalizeSessionId}) and `id_token` becomes `idToken`: the server's session id and the
 * provider's ID token stay two distinct things, and neither becomes tessera's `Session.id`.
 * Throws `INVALID_TOKEN` without an access token and `INVALID_PARAMS` for malformed fields.
 *
 * @example
 * ```ts
 * import { credentialsFromTokenSet } from 'tessera-session/endpoints'
 *
 * window.addEventListener('message', async (event) => {
 *   if (event.origin !== 'https://auth.example.com') return
 *   await client.setTokens(credentialsFromTokenSet(event.data), { method: 'tokens' })
 * })
 * ```
 */
export function credentialsFromTokenSet(set: TokenSet, options: TokenSetOptions = {}): Credentials {
  const fields = tokenSetFields(set, options)
  if (fields.accessToken === undefined) {
    throw new SessionError('INVALID_TOKEN', 'The token set has no access_token')
  }
  return { ...fields, accessToken: fields.accessToken }
}

/**
 * The fields of a token set, checked and renamed like {@link credentialsFromTokenSet} does, but
 * with the access token optional (Torus accepts a set with only a session id and a refresh token).
 *
 * @example
 * ```ts
 * const { refreshToken, sessionId } = tokenSetFields({ session_id: 'ab12', refresh_token: 'r1…' })
 * ```
 */
export function tokenSetFields(set: TokenSet, options: TokenSetOptions = {}): Partial<Credentials> {
  if (typeof set !== 'object' || set === null || Array.isArray(set)) {
    throw new SessionError('INVALID_PARAMS', 'The token set must be an object')
  }
  const sessionId = pick(set, 'session_id', 'sessionId')
  if (set.token_type !== undefined && typeof set.token_type !== 'string') {
    throw new SessionError('INVALID_PARAMS', 'token_type must be a string')
  }
  return withoutUndefined({
    accessToken: pick(set, 'access_token', 'accessToken'),
    refreshToken: pick(set, 'refresh_token', 'refreshToken'),
    idToken: pick(set, 'id_token', 'idToken'),
    sessionId: sessionId === undefined ? undefined : normalizeSessionId(sessionId),
    expiresAt: expiry(set, options.now),
    tokenType: set.token_type || undefined,
  })
}
