/** The one error type tessera throws, with a `code` that callers can branch on. */

/**
 * Every code a {@link SessionError} can carry. Stable: codes are part of the public contract.
 *
 * @example
 * ```ts
 * try {
 *   await client.refresh()
 * } catch (e) {
 *   if (e instanceof SessionError && e.code === 'SESSION_EXPIRED') toast('Please sign in again')
 * }
 * ```
 */
export type SessionErrorCode =
  /** The server rejected the refresh credential: the user must sign in again. */
  | 'SESSION_EXPIRED'
  /** The operation needs a session and there is none. */
  | 'NO_SESSION'
  /** A refresh failed for a reason other than rejection (after retries). */
  | 'REFRESH_FAILED'
  /** The network could not be reached, or answered with a 5xx. */
  | 'NETWORK'
  /** A serialized or stored session is malformed, tampered with, or of an unknown version. */
  | 'INVALID_SESSION'
  /** A token is malformed, or carries no expiry. */
  | 'INVALID_TOKEN'
  /** A storage adapter failed or timed out. The session is kept in memory. */
  | 'STORAGE'
  /** No configured auth method has the requested id. */
  | 'METHOD_NOT_FOUND'
  /** The method does not support the requested operation (for example `completeRedirect`). */
  | 'NOT_SUPPORTED'
  /** The sign-in flow failed at the method (wrong password, user cancelled, provider error). */
  | 'SIGN_IN_FAILED'
  /** The OIDC callback's `state` does not match a pending redirect, or was already used. */
  | 'REDIRECT_STATE_MISMATCH'
  /** The OIDC callback or its ID token failed validation. */
  | 'INVALID_RESPONSE'
  /** A pending redirect was abandoned for longer than allowed. */
  | 'REDIRECT_TIMEOUT'
  /** An operation was cancelled by an `AbortSignal`, a sign-out, or a newer operation. */
  | 'ABORTED'
  /** An operation took longer than its timeout. */
  | 'TIMEOUT'
  /** A WebCrypto key operation failed, or no session key is available. */
  | 'KEY_UNAVAILABLE'
  /** The client was destroyed. */
  | 'DESTROYED'
  /** An app callback (`onAuthStateChange`, `onSessionExpired`) threw; other listeners were unaffected. */
  | 'LISTENER_ERROR'
  /** A call's arguments or options are not acceptable (a reserved protocol parameter, a bad page size, …). */
  | 'INVALID_PARAMS'
  /** The user dismissed the passkey prompt or refused user verification (WebAuthn `NotAllowedError`). */
  | 'PASSKEY_CANCELLED'
  /** The passkey prompt reached its time limit with no answer from the user or an authenticator. */
  | 'PASSKEY_TIMEOUT'
  /**
   * No authenticator here can do what was asked: the device reports no platform authenticator and no
   * phone (hybrid) transport and nothing answered, or none supports the required resident keys, user
   * verification or algorithms (`ConstraintError`, `NotSupportedError`). Offer another method.
   */
  | 'PASSKEY_UNAVAILABLE'
  /**
   * This browser or page cannot use passkeys: no WebAuthn (`PublicKeyCredential`), not a secure
   * context, a domain that is not a valid relying-party id (an IP address, `SecurityError`), or no
   * autofill (conditional mediation) when autofill was asked for.
   */
  | 'PASSKEY_NOT_SUPPORTED'
  /** The server does not know the passkey the user chose (deleted account or credential, another server). */
  | 'PASSKEY_UNKNOWN'
  /** Registration: the authenticator already holds a passkey for this account (`InvalidStateError`); sign in instead. */
  | 'PASSKEY_ALREADY_REGISTERED'
  /** `serialize({ includeKey: true })` on a session whose private key cannot be exported (the browser default). */
  | 'KEY_NOT_EXTRACTABLE'
  /** A capability (CACAO) is malformed, or not an EIP-4361 capability for an eip155 account. */
  | 'INVALID_CAPABILITY'
  /** A session token is not signed by the session key its `iss` names (another key signed it). */
  | 'TOKEN_SIGNATURE_INVALID'
  /** A session token's `exp` has passed. */
  | 'TOKEN_EXPIRED'
  /** The capability delegates to another key than the one that signed the token (`aud`). */
  | 'CAPABILITY_AUDIENCE_MISMATCH'
  /** The capability's signature does not come from its `iss` account (another signer, an altered message, a contract wallet that says no). */
  | 'CAPABILITY_SIGNATURE_INVALID'
  /** The capability's `exp` has passed. */
  | 'CAPABILITY_EXPIRED'
  /** The capability's `iat` or `nbf` is still in the future. */
  | 'CAPABILITY_NOT_YET_VALID'
  /** The capability was signed for another domain. */
  | 'DOMAIN_MISMATCH'
  /** The capability does not grant a resource the request needs. */
  | 'RESOURCE_NOT_GRANTED'

/** All codes, for runtime checks and exhaustive tests. */
export const SESSION_ERROR_CODES: readonly SessionErrorCode[] = [
  'SESSION_EXPIRED',
  'NO_SESSION',
  'REFRESH_FAILED',
  'NETWORK',
  'INVALID_SESSION',
  'INVALID_TOKEN',
  'STORAGE',
  'METHOD_NOT_FOUND',
  'NOT_SUPPORTED',
  'SIGN_IN_FAILED',
  'REDIRECT_STATE_MISMATCH',
  'INVALID_RESPONSE',
  'REDIRECT_TIMEOUT',
  'ABORTED',
  'TIMEOUT',
  'KEY_UNAVAILABLE',
  'DESTROYED',
  'LISTENER_ERROR',
  'INVALID_PARAMS',
  'PASSKEY_CANCELLED',
  'PASSKEY_TIMEOUT',
  'PASSKEY_UNAVAILABLE',
  'PASSKEY_NOT_SUPPORTED',
  'PASSKEY_UNKNOWN',
  'PASSKEY_ALREADY_REGISTERED',
  'KEY_NOT_EXTRACTABLE',
  'INVALID_CAPABILITY',
  'TOKEN_SIGNATURE_INVALID',
  'TOKEN_EXPIRED',
  'CAPABILITY_AUDIENCE_MISMATCH',
  'CAPABILITY_SIGNATURE_INVALID',
  'CAPABILITY_EXPIRED',
  'CAPABILITY_NOT_YET_VALID',
  'DOMAIN_MISMATCH',
  'RESOURCE_NOT_GRANTED',
]

/**
 * An error with a machine-readable {@link SessionErrorCode}. The message never contains a token.
 *
 * @example
 * ```ts
 * const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'include' })
 * if (response.status === 401) {
 *   throw new SessionError('SESSION_EXPIRED', 'The refresh token was rejected', { cause: response.status })
 * }
 * ```
 */
export class SessionError extends Error {
  readonly code: SessionErrorCode
  override readonly cause?: unknown

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message)
    this.name = 'SessionError'
    this.code = code
    if (options && 'cause' in options) this.cause = options.cause
  }
}

/**
 * True when `error` is a {@link SessionError}, optionally with the given code.
 *
 * @example
 * ```ts
 * try {
 *   await client.refresh()
 * } catch (e) {
 *   if (isSessionError(e, 'NETWORK')) toast('Offline: the session refreshes when the network is back')
 * }
 * ```
 */
export function isSessionError(error: unknown, code?: SessionErrorCode): error is SessionError {
  return error instanceof SessionError && (code === undefined || error.code === code)
}

/**
 * Wraps anything thrown into a {@link SessionError}, keeping the original as `cause`.
 * An existing SessionError passes through unchanged.
 *
 * @example
 * ```ts
 * try {
 *   localStorage.setItem('draft', JSON.stringify({ saved: true }))
 * } catch (e) {
 *   throw toSessionError(e, 'STORAGE', 'Could not write the draft')
 * }
 * ```
 */
export function toSessionError(error: unknown, code: SessionErrorCode, message: string): SessionError {
  if (error instanceof SessionError) return error
  return new SessionError(code, message, { cause: error })
}
