/**
 * A token authority in memory, with the rules real providers follow: single-use refresh tokens
 * rotated on every refresh, and the whole family revoked when a used one comes back (reuse
 * detection). The loopback server (tokenServer.ts) and the in-process method (scriptedMethod.ts)
 * both sit on it, so every test counts calls and reuse the same way.
 */
import { fakeJwt } from './jwt.js'

/** What a login or refresh hands out. */
export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  /** Unix seconds. */
  expiresAt: number
  subject: string
}

/** Thrown when a refresh token is unknown, used, or of a revoked family. */
export class RefreshRejected extends Error {
  constructor(readonly reason: 'unknown' | 'reused' | 'revoked') {
    super(`refresh token ${reason}`)
  }
}

/**
 * Creates the authority. `now` is its clock (ms); `lifetimeSeconds` the access token's life.
 *
 * @example
 * ```ts
 * const service = tokenService({ now: () => env.now(), lifetimeSeconds: 300 })
 * const tokens = service.login('ada')
 * ```
 */
export function tokenService(options: { now: () => number; lifetimeSeconds?: number }) {
  let lifetime = options.lifetimeSeconds ?? 300
  let counter = 0
  const families = new Map<
    string,
    { alive: boolean; subject: string; current: string; jkt?: string; createdAt: number; usedAt: number }
  >()
  const refreshTokens = new Map<string, { family: string; used: boolean }>()
  const accessTokens = new Map<string, { family: string; exp: number }>()
  const counters = { logins: 0, refreshCalls: 0, reuseDetections: 0, revocations: 0 }

  const issue = (familyId: string): IssuedTokens => {
    const family = families.get(familyId)
    if (!family) throw new RefreshRejected('unknown')
    counter++
    const iat = Math.floor(options.now() / 1000)
    const accessToken = fakeJwt({ sub: family.subject, iat, exp: iat + lifetime, n: counter })
    const refreshToken = `rt-${counter}-${familyId.slice(0, 6)}`
    refreshTokens.set(refreshToken, { family: familyId, used: false })
    accessTokens.set(accessToken, { family: familyId, exp: iat + lifetime })
    family.current = refreshToken
    family.usedAt = iat
    return { accessToken, refreshToken, expiresAt: iat + lifetime, subject: family.subject }
  }

  return {
    counters,
    /** `jkt`: the thumbprint of the key the family is bound to (what a DPoP provider records). */
    login(subject: string, binding: { jkt?: string } = {}): IssuedTokens {
      counters.logins++
      const id = globalThis.crypto.randomUUID()
      const at = Math.floor(options.now() / 1000)
      families.set(id, {
        alive: true,
        subject,
        current: '',
        createdAt: at,
        usedAt: at,
        ...(binding.jkt ? { jkt: binding.jkt } : {}),
      })
      return issue(id)
    },
    /** The live families of `subject`, oldest first: the grants a device-access listing shows. */
    grantsOf(subject: string) {
      return [...families]
        .filter(([, f]) => f.alive && f.subject === subject)
        .map(([id, f]) => ({
          id,
          jkt: f.jkt,
          createdAt: f.createdAt,
          usedAt: f.usedAt,
          expiresAt: f.usedAt + 24 * 3600,
        }))
    },
    /** The subject an access token was issued to, while its family lives. */
    subjectOf(accessToken: string): string | null {
      const family = families.get(accessTokens.get(accessToken)?.family ?? '')
      return family?.alive ? family.subject : null
    },
    /** Revokes one family by id (device access); false when there is no such live family. */
    revokeFamily(id: string): boolean {
      const family = families.get(id)
      if (!family?.alive) return false
      family.alive = false
      counters.revocations++
      return true
    },
    refresh(refreshToken: string): IssuedTokens {
      counters.refreshCalls++
      const entry = refreshTokens.get(refreshToken)
      if (!entry) throw new RefreshRejected('unknown')
      const family = families.get(entry.family)
      if (!family?.alive) throw new RefreshRejected('revoked')
      if (entry.used) {
        // A used token came back: someone replayed it. The whole family dies (RFC 9700 §4.14.2).
        counters.reuseDetections++
        family.alive = false
        throw new RefreshRejected('reused')
      }
      entry.used = true
      return issue(entry.family)
    },
    /** Revokes the family a refresh or access token belongs to (sign-out). */
    revoke(token: string): void {
      const family = refreshTokens.get(token)?.family ?? accessTokens.get(token)?.family
      const entry = family ? families.get(family) : undefined
      if (entry?.alive) {
        entry.alive = false
        counters.revocations++
      }
    },
    /** True when an access token is known, unexpired and of a live family (what an API checks). */
    accepts(accessToken: string): boolean {
      const entry = accessTokens.get(accessToken)
      return !!entry && entry.exp * 1000 > options.now() && families.get(entry.family)?.alive === true
    },
    isAlive(refreshToken: string): boolean {
      const entry = refreshTokens.get(refreshToken)
      return !!entry && !entry.used && families.get(entry.family)?.alive === true
    },
    setLifetime(seconds: number) {
      lifetime = seconds
    },
  }
}

/** The authority's type. */
export type TokenService = ReturnType<typeof tokenService>
