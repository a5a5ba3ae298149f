/** Test helpers: unsigned JWT-shaped tokens and a scriptable in-process token method. */
import type { AuthMethod, Credentials } from '../../src/index.js'
import { SessionError } from '../../src/index.js'

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/** A JWT-shaped token (unsigned: tessera only decodes, the server verifies). */
export function fakeJwt(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.c2ln`
}

export interface ScriptedMethodOptions {
  id?: string
  lifetimeSeconds?: number
  now?: () => number
  subject?: string
}

/**
 * A token method whose server lives in memory: it issues JWTs with `exp`, rotates refresh tokens,
 * counts calls, and can be told to fail the next refreshes.
 */
export function scriptedMethod(options: ScriptedMethodOptions = {}) {
  const now = options.now ?? (() => Date.now())
  const lifetime = options.lifetimeSeconds ?? 300
  const state = {
    signIns: 0,
    refreshes: 0,
    signOuts: 0,
    inFlight: 0,
    maxInFlight: 0,
    /** Queue of outcomes for the next refresh calls: 'ok' | 'reject' | 'network' | 'server'. */
    plan: [] as Array<'ok' | 'reject' | 'network' | 'server'>,
    refreshDelayMs: 0,
    validRefreshTokens: new Set<string>(),
  }
  let counter = 0
  const issue = (): Credentials => {
    counter++
    const iat = Math.floor(now() / 1000)
    const refreshToken = `rt-${counter}`
    state.validRefreshTokens.add(refreshToken)
    return {
      accessToken: fakeJwt({ sub: options.subject ?? 'user-1', iat, exp: iat + lifetime, n: counter }),
      refreshToken,
      email: 'ada@example.com',
    }
  }
  const method: AuthMethod<{ fail?: boolean } | undefined> = {
    id: options.id ?? 'scripted',
    async signIn(params) {
      state.signIns++
      if (params?.fail) throw new SessionError('SIGN_IN_FAILED', 'Wrong password')
      return issue()
    },
    async refresh(credentials) {
      state.refreshes++
      state.inFlight++
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
      try {
        if (state.refreshDelayMs > 0) await new Promise((r) => setTimeout(r, state.refreshDelayMs))
        const outcome = state.plan.shift() ?? 'ok'
        if (outcome === 'network') throw new TypeError('fetch failed')
        if (outcome === 'server') throw new SessionError('NETWORK', 'The server answered 503')
        if (
          outcome === 'reject' ||
          !credentials.refreshToken ||
          !state.validRefreshTokens.has(credentials.refreshToken)
        ) {
          throw new SessionError('SESSION_EXPIRED', 'Refresh token rejected')
        }
        state.validRefreshTokens.delete(credentials.refreshToken)
        return issue()
      } finally {
        state.inFlight--
      }
    },
    async signOut() {
      state.signOuts++
    },
  }
  return { method, state }
}
