/** Signs `client.getIdToken()`'s fallback token with the session key. Loaded on first use. */
import { signCompactJws } from '../jws/signCompactJws.js'
import type { SessionKey } from './SessionKey.js'

/**
 * An ES256 JWT signed by the session key: header `{ alg, typ, jwk }`, claims `iss` (the key's
 * did:key), `sub`, `iat`, `exp`, `cnf.jkt` and the custom claims.
 *
 * @example
 * ```ts
 * import { createSessionKey } from 'tessera-session'
 *
 * const key = await createSessionKey()
 * const token = await signSessionIdToken(key, { subject: 'ada', nowSeconds: 1767225600, ttlSeconds: 300 })
 * ```
 */
export function signSessionIdToken(
  key: SessionKey,
  options: {
    subject: string
    nowSeconds: number
    ttlSeconds: number
    customClaims?: Record<string, unknown>
  },
): Promise<string> {
  return signCompactJws(
    key.privateKey,
    { typ: 'JWT', jwk: key.publicJwk },
    {
      ...options.customClaims,
      cnf: { jkt: key.thumbprint },
      iss: key.did,
      sub: options.subject,
      iat: options.nowSeconds,
      exp: options.nowSeconds + options.ttlSeconds,
    },
  )
}
