/** Verifies what a tessera wallet session sends a backend: a session-key JWT that carries the wallet's CACAO. */
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  EmbeddedJWK,
  errors,
  type JWK,
  jwtVerify,
} from 'jose'
import { defaultEnvironment } from '../environment/Environment.js'
import { didKeyFromP256 } from '../keys/didKey.js'
import { SessionError } from '../SessionError.js'
import { type VerifiedCapability, type VerifyCapabilityOptions, verifyCacao } from './verifyCacao.js'

/**
 * What {@link verifySessionToken} checks besides the signatures.
 *
 * @example
 * ```ts
 * const options: VerifySessionTokenOptions = { domain: 'dapp.example', resources: ['https://api.example/posts'] }
 * ```
 */
export type VerifySessionTokenOptions = Omit<VerifyCapabilityOptions, 'audience'>

/**
 * A token that verified: the wallet account it speaks for, what it may do, and the token's claims.
 *
 * @example
 * ```ts
 * declare const token: string // from client.getIdToken() of a wallet session
 * const { account, resources, claims }: VerifiedSession = await verifySessionToken(token, { domain: 'dapp.example' })
 * ```
 */
export interface VerifiedSession extends VerifiedCapability {
  /** The session key's `did:key` (the token's `iss`, the capability's `aud`). */
  sessionKey: string
  /** The token's claims (`iss`, `sub`, `iat`, `exp`, `cnf`, `cacao` and the app's custom claims). */
  claims: Record<string, unknown>
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/** The `did:key` of a P-256 public JWK, or null for any other key. */
function didKeyOfJwk(jwk: JWK | undefined): string | null {
  if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string')
    return null
  try {
    const x = fromBase64url(jwk.x)
    const y = fromBase64url(jwk.y)
    if (x.length !== 32 || y.length !== 32) return null
    const point = new Uint8Array(65)
    point[0] = 0x04
    point.set(x, 1)
    point.set(y, 33)
    return didKeyFromP256(point)
  } catch {
    return null
  }
}

/**
 * Verifies a token from `client.getIdToken()` of a wallet session (Node and edge runtimes, no DOM):
 * 1. it is an ES256 JWT signed by the session key its `iss` names (the `did:key` of the `jwk` in its
 *    header; `cnf.jkt`, when present, is that key's thumbprint), and has not expired;
 * 2. its `cacao` claim is a capability that delegates exactly that key (`aud`), for the token's `sub`;
 * 3. the capability is signed by its account, for `domain`, in force, and grants every requested
 *    resource (all of {@link verifyCacao}).
 * Returns the account and the granted resources, or throws a {@link SessionError} whose code names
 * the refusal. Identity comes from the capability the wallet signed, never from a claim alone.
 * An OIDC session's token proves nothing here: verify the provider's tokens instead.
 *
 * @example
 * ```ts
 * import { verifySessionToken } from 'tessera-session/server'
 *
 * export async function handle(req: Request): Promise<Response> {
 *   const token = (req.headers.get('authorization') ?? '').replace(/^Bearer /, '')
 *   const { account } = await verifySessionToken(token, { domain: 'dapp.example', resources: ['https://api.example/posts'] })
 *   return Response.json({ account })
 * }
 * ```
 */
export async function verifySessionToken(
  token: string,
  options: VerifySessionTokenOptions,
): Promise<VerifiedSession> {
  let header: ReturnType<typeof decodeProtectedHeader>
  let unverified: ReturnType<typeof decodeJwt>
  try {
    header = decodeProtectedHeader(token)
    unverified = decodeJwt(token)
  } catch (error) {
    throw new SessionError('INVALID_TOKEN', 'Not a JWT', { cause: error })
  }
  if (header.alg !== 'ES256') throw new SessionError('INVALID_TOKEN', 'The session token is not ES256')
  const sessionKey = didKeyOfJwk(header.jwk)
  if (!sessionKey) throw new SessionError('INVALID_TOKEN', 'The session token carries no P-256 key')
  if (unverified.iss !== sessionKey) {
    throw new SessionError(
      'TOKEN_SIGNATURE_INVALID',
      'The session token is not signed by the key its iss names',
    )
  }

  // One clock for the token and its capability.
  const nowMs =
    options.now instanceof Date ? options.now.getTime() : (options.now ?? defaultEnvironment().now())
  let claims: Record<string, unknown>
  try {
    const verified = await jwtVerify(token, EmbeddedJWK, {
      algorithms: ['ES256'],
      requiredClaims: ['iss', 'sub', 'iat', 'exp'],
      clockTolerance: options.clockToleranceSeconds ?? 60,
      currentDate: new Date(nowMs),
    })
    claims = verified.payload as Record<string, unknown>
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new SessionError('TOKEN_EXPIRED', 'The session token has expired', { cause: error })
    if (error instanceof errors.JWSSignatureVerificationFailed)
      throw new SessionError('TOKEN_SIGNATURE_INVALID', 'The session token signature is invalid', {
        cause: error,
      })
    throw new SessionError('INVALID_TOKEN', 'The session token is not acceptable', { cause: error })
  }
  const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt
  if (jkt !== undefined && jkt !== (await calculateJwkThumbprint(header.jwk as JWK, 'sha256'))) {
    throw new SessionError('TOKEN_SIGNATURE_INVALID', 'The session token binds another key (cnf.jkt)')
  }
  if (claims.cacao === undefined) {
    throw new SessionError('INVALID_CAPABILITY', 'The session token carries no capability (cacao claim)')
  }
  const capability = await verifyCacao(claims.cacao, { ...options, now: nowMs, audience: sessionKey })
  if (claims.sub !== capability.capability.p.iss) {
    throw new SessionError(
      'INVALID_TOKEN',
      'The session token speaks for another account than its capability',
    )
  }
  return { ...capability, sessionKey, claims }
}
