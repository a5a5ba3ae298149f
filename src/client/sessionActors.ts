/**
 * The machine's actors: thin shells that load their work (sessionWork.ts, in lazyWork.ts) on first use and never
 * reject, so the machine sees every outcome, even a chunk that failed to load.
 */
import { fromCallback, fromPromise } from 'xstate'
import { timerDelay } from '../../machines/refreshSchedule.js'
import type {
  DueTimerInput,
  EndSessionInput,
  LoadOutcome,
  RedirectOutcome,
  RefreshOutcome,
  SessionEvent,
  SignInOutcome,
} from '../../machines/session.machine.js'
import type { PendingRedirect, SessionRecord } from '../../machines/sessionRecord.js'
import { loadWork as work } from '../loadWork.js'
import { SessionError, toSessionError } from '../SessionError.js'
import type { SessionLogicDeps } from './sessionLogic.js'

/** A failure to load the work itself (offline, a deploy replaced the chunk): reported like the network. */
const unloadable = (error: unknown) =>
  new SessionError('NETWORK', 'Could not load the sign-in code (offline, or a new version was deployed)', {
    cause: error,
  })

/** Sign-out's server side runs to its end even after destroy() (bounded by signOutTimeoutMs). */
function endSession(deps: SessionLogicDeps) {
  return fromPromise<void, EndSessionInput>(({ input }) => {
    const ending = work()
      .then((w) => w.endOnServer(deps, input))
      .catch((error: unknown) =>
        deps.reportError(toSessionError(error, 'NETWORK', 'Signing out at the server failed')),
      )
    deps.endings.add(ending)
    void ending.finally(() => deps.endings.delete(ending))
    return ending
  })
}

/** The machine's only timer: fires at an absolute time, re-arming when a clamped or early timer fires. */
function dueTimer(deps: SessionLogicDeps) {
  return fromCallback<SessionEvent, DueTimerInput>(({ input, sendBack }) => {
    let handle: unknown
    const arm = () => {
      handle = deps.env.setTimeout(
        () => {
          const now = deps.env.now()
          if (now >= input.dueAt) sendBack({ type: input.event, now })
          else arm()
        },
        timerDelay(input.dueAt, deps.env.now()),
      )
    }
    arm()
    return () => deps.env.clearTimeout(handle)
  })
}

/**
 * Every actor the session machine invokes, given a world.
 *
 * @example
 * ```ts
 * import { sessionMachine } from '../../machines/session.machine.js'
 * import { createClientRuntime } from './clientRuntime.js'
 * import { sessionEffects } from './sessionEffects.js'
 *
 * const { deps } = createClientRuntime({ appId: 'shop', methods })
 * sessionMachine.provide({ actors: sessionActors(deps), actions: sessionEffects(deps) })
 * ```
 */
export function sessionActors(deps: SessionLogicDeps) {
  return {
    loadStoredSession: fromPromise<LoadOutcome>(async () => ({
      stored: await deps.store.load(),
      now: deps.env.now(),
    })),
    signInWithMethod: fromPromise<SignInOutcome, { methodId: string; params: unknown }>(({ input, signal }) =>
      work().then(
        (w) => w.signIn(deps, input, signal),
        (error: unknown): SignInOutcome => ({
          kind: 'failed',
          error: unloadable(error),
          now: deps.env.now(),
        }),
      ),
    ),
    completeRedirect: fromPromise<RedirectOutcome, { pending: PendingRedirect; url: string }>(
      ({ input, signal }) =>
        work().then(
          (w) => w.completeRedirect(deps, input, signal),
          (error: unknown): RedirectOutcome => ({
            kind: 'failed',
            error: unloadable(error),
            now: deps.env.now(),
          }),
        ),
    ),
    refreshSession: fromPromise<RefreshOutcome, { record: SessionRecord }>(({ input, signal }) =>
      work().then(
        (w) => w.refreshSession(deps, input, signal),
        (error: unknown): RefreshOutcome => ({
          ok: false,
          error: unloadable(error),
          now: deps.env.now(),
          jitter: deps.env.random(),
        }),
      ),
    ),
    endSession: endSession(deps),
    dueTimer: dueTimer(deps),
  }
}
