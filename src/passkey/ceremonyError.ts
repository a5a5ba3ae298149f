/** Turns what a WebAuthn ceremony threw into a SessionError code a user can branch on. */
import { SessionError } from '../SessionError.js'

/**
 * Which ceremony failed: `create()` (registration) or `get()` (authentication, modal or autofill).
 *
 * @example
 * ```ts
 * const kind: CeremonyKind = 'registration'
 * ```
 */
export type CeremonyKind = 'registration' | 'authentication'

/**
 * What the caller knows about how the ceremony ended, besides the error itself.
 *
 * @example
 * ```ts
 * const facts: CeremonyFacts = { kind: 'authentication', timedOut: false, cancelledByCaller: false, noAuthenticatorHere: false }
 * ```
 */
export interface CeremonyFacts {
  kind: CeremonyKind
  /** The ceremony's time limit passed (our timer fired, or the browser's `NotAllowedError` came at or after it). */
  timedOut: boolean
  /** The caller aborted it (sign-out, a newer sign-in, destroy, the autofill's own signal). */
  cancelledByCaller: boolean
  /** The device reports no platform authenticator and no hybrid (phone) transport. */
  noAuthenticatorHere: boolean
}

/** The DOMException name, also on @simplewebauthn/browser's `WebAuthnError` (which copies its cause's name). */
function nameOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : ''
}

/**
 * Maps a ceremony failure to a {@link SessionError}. WebAuthn reports cancel, timeout and "no
 * authenticator" all as `NotAllowedError` (on purpose, for privacy), so the caller's facts decide
 * between `PASSKEY_CANCELLED`, `PASSKEY_TIMEOUT` and `PASSKEY_UNAVAILABLE`.
 *
 * | thrown | code |
 * | --- | --- |
 * | aborted by the caller | `ABORTED` |
 * | `NotAllowedError` or our time limit, nothing on the device | `PASSKEY_UNAVAILABLE` |
 * | our time limit, or `NotAllowedError` at or after it | `PASSKEY_TIMEOUT` |
 * | `NotAllowedError` before it | `PASSKEY_CANCELLED` |
 * | `ConstraintError`, `NotSupportedError` | `PASSKEY_UNAVAILABLE` |
 * | `SecurityError` (IP address, RP id not valid for this domain) | `PASSKEY_NOT_SUPPORTED` |
 * | `InvalidStateError` during registration | `PASSKEY_ALREADY_REGISTERED` |
 * | `TypeError` (the server's options are malformed) | `INVALID_RESPONSE` |
 * | another `AbortError` (another ceremony replaced this one) | `ABORTED` |
 * | anything else (`UnknownError`, …) | `SIGN_IN_FAILED` |
 *
 * @example
 * ```ts
 * const error = ceremonyError(new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError'), {
 *   kind: 'authentication', timedOut: false, cancelledByCaller: false, noAuthenticatorHere: false,
 * })
 * error.code // 'PASSKEY_CANCELLED'
 * ```
 */
export function ceremonyError(error: unknown, facts: CeremonyFacts): SessionError {
  if (error instanceof SessionError) return error
  const name = nameOf(error)
  const options = { cause: error }
  if (facts.cancelledByCaller) return new SessionError('ABORTED', 'The passkey prompt was cancelled', options)
  const ranOut = facts.timedOut
  if (ranOut || name === 'NotAllowedError') {
    if (facts.noAuthenticatorHere) {
      return new SessionError(
        'PASSKEY_UNAVAILABLE',
        'No authenticator is available: this device has no platform authenticator or phone transport, and none answered',
        options,
      )
    }
    if (ranOut) return new SessionError('PASSKEY_TIMEOUT', 'The passkey prompt timed out', options)
    return new SessionError('PASSKEY_CANCELLED', 'The passkey prompt was dismissed or refused', options)
  }
  switch (name) {
    case 'ConstraintError':
    case 'NotSupportedError':
      return new SessionError(
        'PASSKEY_UNAVAILABLE',
        'No available authenticator supports what the server asked for (resident keys, user verification or algorithms)',
        options,
      )
    case 'SecurityError':
      return new SessionError(
        'PASSKEY_NOT_SUPPORTED',
        'This page cannot use passkeys: its domain is not a valid relying-party id (an IP address, or another domain)',
        options,
      )
    case 'InvalidStateError':
      if (facts.kind === 'registration') {
        return new SessionError(
          'PASSKEY_ALREADY_REGISTERED',
          'This authenticator already holds a passkey for this account',
          options,
        )
      }
      break
    case 'TypeError':
      return new SessionError(
        'INVALID_RESPONSE',
        "The browser refused the server's passkey options as malformed",
        options,
      )
    case 'AbortError':
      return new SessionError('ABORTED', 'Another passkey prompt replaced this one', options)
  }
  return new SessionError('SIGN_IN_FAILED', `The passkey ${facts.kind} failed`, options)
}
