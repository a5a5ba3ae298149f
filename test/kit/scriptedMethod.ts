/**
 * A sign-in method whose server is a {@link tokenService} in memory: it issues JWTs with `exp`,
 * rotates refresh tokens (reuse revokes the family), counts calls, and can be told how the next
 * refreshes end and how long they take (on the client's clock, aborted with `ctx.signal`).
 */
import type { AuthMethod, Credentials, MethodContext } from '../../src/index.js'
import { SessionError } from '../../src/index.js'
import { RefreshRejected, type TokenService, tokenService } from './tokenService.js'

/** How a planned refresh ends. */
export type RefreshPlan = 'ok' | 'reject' | 'network' | 'server' | 'hang'

/**
 * Options of {@link scriptedMethod}.
 *
 * @example
 * ```ts
 * const options: ScriptedMethodOptions = { id: 'password', lifetimeSeconds: 60, subject: 'ada' }
 * ```
 */
export interface ScriptedMethodOptions {
  id?: string
  lifetimeSeconds?: number
  /** The server's clock (ms). Default `Date.now` (fake timers apply). */
  now?: () => number
  subject?: string
  /** Share one server between methods (several tabs, several methods). */
  service?: TokenService
  /** Answer with this `expires_in` (seconds from the client's now) instead of the JWT's exp. */
  expiresIn?: number
}

/** Waits `ms` on the client's clock; `abortable: false` waits on even when the client aborts. */
function wait(ctx: MethodContext, ms: number, abortable = true): Promise<void> {
  if (!abortable) return new Promise((resolve) => ctx.environment.setTimeout(resolve, ms))
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      ctx.environment.clearTimeout(timer)
      reject(ctx.signal.reason ?? new DOMException('Aborted', 'AbortError'))
    }
    const timer = ctx.environment.setTimeout(() => {
      ctx.signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    if (ctx.signal.aborted) onAbort()
    else ctx.signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** A request that never answers: it ends only when the client aborts it. */
function untilAborted(ctx: MethodContext): Promise<never> {
  return new Promise((_, reject) => {
    const onAbort = () => reject(ctx.signal.reason ?? new DOMException('Aborted', 'AbortError'))
    if (ctx.signal.aborted) onAbort()
    else ctx.signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Creates the method and its observable state.
 *
 * @example
 * ```ts
 * const { method, state, service } = scriptedMethod({ lifetimeSeconds: 60 })
 * state.plan.push('network')          // the next refresh fails as if offline
 * expect(service.counters.reuseDetections).toBe(0)
 * ```
 */
export function scriptedMethod(options: ScriptedMethodOptions = {}) {
  const service =
    options.service ??
    tokenService({ now: options.now ?? (() => Date.now()), lifetimeSeconds: options.lifetimeSeconds })
  const state = {
    signIns: 0,
    refreshes: 0,
    signOuts: 0,
    inFlight: 0,
    maxInFlight: 0,
    /** Outcomes of the next refresh calls, in order; then 'ok'. */
    plan: [] as RefreshPlan[],
    /** How long each refresh takes on the client's clock. */
    refreshDelayMs: 0,
    /**
     * False: a refresh does not listen to `ctx.signal` (as a method that never passes it to
     * fetch), so its answer still arrives after the client stopped waiting for it.
     */
    refreshAbortable: true,
    /** How long each sign-in takes on the client's clock. */
    signInDelayMs: 0,
  }
  const credentials = (issued: ReturnType<TokenService['login']>, ctx: MethodContext): Credentials => ({
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    email: `${issued.subject}@example.com`,
    ...(options.expiresIn !== undefined
      ? { expiresAt: Math.floor(ctx.now() / 1000) + options.expiresIn }
      : {}),
  })
  const method: AuthMethod<{ fail?: boolean; subject?: string } | undefined> = {
    id: options.id ?? 'scripted',
    async signIn(params, ctx) {
      state.signIns++
      if (state.signInDelayMs > 0) await wait(ctx, state.signInDelayMs)
      if (params?.fail) throw new SessionError('SIGN_IN_FAILED', 'Wrong password')
      return credentials(service.login(params?.subject ?? options.subject ?? 'user-1'), ctx)
    },
    async refresh(current, ctx) {
      state.refreshes++
      state.inFlight++
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
      try {
        const outcome = state.plan.shift() ?? 'ok'
        if (outcome === 'hang') await untilAborted(ctx)
        // The server rotates at once; the answer takes refreshDelayMs to come back.
        const issued = outcome === 'ok' && current.refreshToken ? service.refresh(current.refreshToken) : null
        if (state.refreshDelayMs > 0) await wait(ctx, state.refreshDelayMs, state.refreshAbortable)
        if (outcome === 'network') throw new TypeError('fetch failed')
        if (outcome === 'server') throw new SessionError('NETWORK', 'The server answered 503')
        if (outcome === 'reject' || !issued)
          throw new SessionError('SESSION_EXPIRED', 'Refresh token rejected')
        return credentials(issued, ctx)
      } catch (error) {
        if (error instanceof RefreshRejected)
          throw new SessionError('SESSION_EXPIRED', `Refresh token ${error.reason}`)
        throw error
      } finally {
        state.inFlight--
      }
    },
    async signOut(current) {
      state.signOuts++
      if (current.refreshToken) service.revoke(current.refreshToken)
    },
  }
  return { method, state, service }
}
