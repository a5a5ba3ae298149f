/** Signs a wallet session's ID token: a JWT by the session key that carries the wallet's CACAO. Loaded on first use. */

import type { SessionKey } from '../keys/SessionKey.js'
import { signSessionIdToken } from '../keys/sessionIdToken.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'

/**
 * The token a backend checks with `verifySessionToken` from `tessera-session/server`: header
 * `{ alg: 'ES256', typ: 'JWT', jwk }`, claims `iss` (the session key's `did:key`), `sub` (the
 * wallet's `did:pkh`, the CACAO's `iss`), `iat`, `exp`, `cnf.jkt`, the app's custom claims, and
 * `cacao`: the CAIP-74 capability, whose `aud` is the same `did:key`. A session without a
 * capability gets the plain session-key token with its subject.
 *
 * @example
 * ```ts
 * import type { Credentials, SessionKey } from 'tessera-session'
 *
 * declare const key: SessionKey // the session key the capability delegates to
 * declare const credentials: Credentials // the wallet session's, with its capability
 * const token = await signWalletIdToken(key, credentials, { nowSeconds: 1767225600, ttlSeconds: 300 })
 * ```
 */
export function signWalletIdToken(
  key: SessionKey,
  credentials: Credentials,
  options: { nowSeconds: number; ttlSeconds: number; customClaims?: Record<string, unknown> },
): Promise<string> {
  const capability = credentials.capability
  if (!capability) {
    return signSessionIdToken(key, {
      subject: credentials.subject ?? credentials.address ?? '',
      nowSeconds: options.nowSeconds,
      ttlSeconds: options.ttlSeconds,
      ...(options.customClaims ? { customClaims: options.customClaims } : {}),
    })
  }
  if (capability.p.aud !== key.did) {
    throw new SessionError(
      'KEY_UNAVAILABLE',
      'The session key here is not the one the wallet capability delegates to',
    )
  }
  return signSessionIdToken(key, {
    subject: capability.p.iss,
    nowSeconds: options.nowSeconds,
    ttlSeconds: options.ttlSeconds,
    // The capability goes last: a custom claim cannot replace it.
    customClaims: { ...options.customClaims, cacao: capability },
  })
}
