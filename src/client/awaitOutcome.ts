/** Waits for what the machine says: an emitted outcome event, or a snapshot that decides. */
import type { SessionEmitted } from '../../machines/session.machine.js'
import type { SessionSnapshot } from '../../machines/sessionSelectors.js'
import type { SessionActor } from './sessionLogic.js'

/** A decision: resolve with a value, reject with an error, or (undefined) keep waiting. */
export type Decision<T> = { value: T } | { error: unknown } | undefined

/**
 * Resolves or rejects with the first decision from the machine's emitted events (`on`) or from
 * its snapshots after this call (`snapshot`), or rejects with `signal.reason` when `signal` aborts
 * (the client's `destroy()`). Listeners are attached before `start()` runs, so an outcome emitted
 * while `start` sends its event is never missed.
 *
 * @example
 * ```ts
 * const id = crypto.randomUUID()
 * const send = () => client.actor.send({ type: 'SIGN_IN', attemptId: id, methodId: 'password', params: {} })
 * const session = await awaitOutcome(client.actor, AbortSignal.timeout(30_000), send, {
 *   on: { 'signIn.settled': (e) => (e.attemptId === id ? { value: e.session } : undefined) },
 * })
 * ```
 */
export function awaitOutcome<T>(
  actor: SessionActor,
  signal: AbortSignal,
  start: () => void,
  decide: {
    on?: { [K in SessionEmitted['type']]?: (event: Extract<SessionEmitted, { type: K }>) => Decision<T> }
    snapshot?: (snapshot: SessionSnapshot) => Decision<T>
  },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stops: Array<() => void> = []
    let done = false
    const settle = (decision: Decision<T>) => {
      if (done || decision === undefined) return
      done = true
      for (const stop of stops.splice(0)) stop()
      if ('value' in decision) resolve(decision.value)
      else reject(decision.error)
    }
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => settle({ error: signal.reason })
    signal.addEventListener('abort', onAbort, { once: true })
    stops.push(() => signal.removeEventListener('abort', onAbort))
    for (const [type, handler] of Object.entries(decide.on ?? {})) {
      const subscription = actor.on(type as SessionEmitted['type'], (event) =>
        settle((handler as (e: SessionEmitted) => Decision<T>)(event)),
      )
      stops.push(() => subscription.unsubscribe())
    }
    if (decide.snapshot) {
      const judge = decide.snapshot
      const subscription = actor.subscribe({ next: (s) => settle(judge(s)) })
      stops.push(() => subscription.unsubscribe())
    }
    try {
      start()
    } catch (error) {
      settle({ error })
    }
  })
}
