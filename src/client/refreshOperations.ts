/** `refresh()` and `getAccessToken()`: ask the machine, then wait for what it says. */
import {
  readableSession,
  type SessionSnapshot,
  statusOf,
  usableRecord,
  usableUntil,
} from '../../machines/sessionSelectors.js'
import { SessionError } from '../SessionError.js'
import { awaitOutcome } from './awaitOutcome.js'
import type { ClientRuntime } from './clientRuntime.js'
import { ready } from './signInOperations.js'

/** Waits for the refresh that is running or about to run (a short-lived token's floor) to settle. */
function nextRefresh(rt: ClientRuntime): Promise<string> {
  const { actor } = rt
  let started = statusOf(actor.getSnapshot()) === 'refreshing'
  return awaitOutcome<string>(actor, rt.lifetime, () => undefined, {
    on: {
      'refresh.settled': (e) => ({ value: e.accessToken }),
      // An answer tessera refused ends the session like a rejection does; a network failure keeps
      // its own code (the session waits, expired, for the network to come back).
      'refresh.failed': (e) => ({
        error:
          e.error.code === 'INVALID_RESPONSE'
            ? new SessionError('SESSION_EXPIRED', 'The session ended: the refresh answer was refused', {
                cause: e.error,
              })
            : e.error,
      }),
    },
    // A refresh can also end without an outcome of its own: another tab's fresher token, a sign-out.
    snapshot: (s) => {
      const status = statusOf(s)
      if (status === 'refreshing') started = true
      if (!started || status === 'refreshing') return undefined
      if (status === 'active' && s.context.record) return { value: s.context.record.session.accessToken }
      if (status === 'expired')
        return { error: new SessionError('SESSION_EXPIRED', 'The session expired; sign in again') }
      return { error: new SessionError('NO_SESSION', 'The session ended during the refresh') }
    },
  })
}

/**
 * The client's refresh operations.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const { refresh, getAccessToken } = refreshOperations(rt)
 * ```
 */
export function refreshOperations(rt: ClientRuntime) {
  const { actor, deps } = rt

  // Callers of one refresh share one wait on the machine: a thousand requests on an expired token
  // cost one subscription, not a thousand (each would also add an abort listener to `lifetime`).
  let shared: Promise<string> | null = null

  /** The wait for the refresh that is running or about to run, shared by everyone asking meanwhile. */
  function sharedRefresh(): Promise<string> {
    if (shared) return shared
    const waiting = nextRefresh(rt)
    shared = waiting
    const done = () => {
      if (shared === waiting) shared = null
    }
    waiting.then(done, done)
    return waiting
  }

  function refresh(): Promise<string> {
    if (rt.lifetime.aborted) return Promise.reject(new SessionError('DESTROYED', 'The client was destroyed'))
    // Asked now, not a tick later: a request that starts right after must see the refresh running.
    if (statusOf(actor.getSnapshot()) === 'restoring') return ready(rt).then(refresh)
    if (shared) return shared
    const snapshot = actor.getSnapshot()
    const event = { type: 'REFRESH', now: deps.env.now() } as const
    const accepted = snapshot.can(event)
    if (
      !accepted &&
      statusOf(snapshot) !== 'refreshing' &&
      !(statusOf(snapshot) === 'active' && snapshot.context.record?.refreshable)
    ) {
      const record = snapshot.context.record
      if (record && !record.refreshable) {
        return Promise.reject(
          new SessionError('NOT_SUPPORTED', `Method "${record.session.method}" cannot refresh`),
        )
      }
      return Promise.reject(new SessionError('NO_SESSION', 'There is no session to refresh'))
    }
    // Listen before sending: the outcome may be emitted while the event is taken.
    const waiting = sharedRefresh()
    if (accepted) actor.send(event)
    return waiting
  }

  // Synchronous up to the refresh: the first of many callers sends REFRESH before the others'
  // work is queued, so the refresh request is not waiting behind a thousand continuations.
  function slowAccessToken(): Promise<string | null> {
    if (statusOf(actor.getSnapshot()) === 'restoring') return ready(rt).then(slowAccessToken)
    const snapshot = rt.current()
    const now = deps.env.now()
    const usable = usableRecord(snapshot, now)
    if (usable) return Promise.resolve(usable.session.accessToken)
    // Backing off after a transient failure with a token still valid: use it, do not hammer.
    const readable = readableSession(snapshot, now)
    if (readable && snapshot.matches({ refreshing: 'backoff' })) return Promise.resolve(readable.accessToken)
    const status = statusOf(snapshot)
    const refreshable = snapshot.context.record?.refreshable === true
    if (!(status === 'active' || status === 'refreshing' || (status === 'expired' && refreshable)))
      return Promise.resolve(null)
    return refresh().catch((error: unknown) => {
      // A transient failure while the old token is still valid: use it rather than fail the call.
      const still = readableSession(actor.getSnapshot(), deps.env.now())
      if (still) return still.accessToken
      if (error instanceof SessionError && (error.code === 'SESSION_EXPIRED' || error.code === 'NO_SESSION'))
        return null
      throw error
    })
  }

  // The hot path: while the machine keeps the snapshot it last answered from, and the clock is
  // before that snapshot's `usableUntil`, the answer is the same settled promise (no allocation,
  // no await on the client's side). Any event the machine takes makes a new snapshot, and the
  // next call asks it again.
  let answered: { snapshot: SessionSnapshot; until: number; token: Promise<string> } | null = null

  return {
    refresh,
    getAccessToken(): Promise<string | null> {
      const now = deps.env.now()
      if (answered !== null && answered.snapshot === actor.getSnapshot() && now < answered.until)
        return answered.token
      const snapshot = rt.current(now)
      const usable = usableRecord(snapshot, now)
      if (usable === null) return slowAccessToken()
      const token =
        answered?.snapshot.context.record === usable
          ? answered.token
          : Promise.resolve(usable.session.accessToken)
      answered = { snapshot, until: usableUntil(snapshot), token }
      return token
    },
  }
}
