/** The machine's only timer: fires an event at an absolute time, surviving sleep and huge delays. */
import { fromCallback } from 'xstate'
import { timerDelay } from '../../machines/refreshSchedule.js'
import type { DueTimerInput, SessionEvent } from '../../machines/session.machine.js'
import type { Environment } from '../environment/Environment.js'

/**
 * Timer actor logic for `dueTimer`. It re-arms when a clamped or early timer fires before the
 * due time, so a 40-day token waits 40 days instead of overflowing `setTimeout` into a loop.
 *
 * @example
 * ```ts
 * sessionMachine.provide({ actors: { dueTimer: createDueTimer(defaultEnvironment()) } })
 * ```
 */
export function createDueTimer(env: Environment) {
  return fromCallback<SessionEvent, DueTimerInput>(({ input, sendBack }) => {
    let handle: unknown
    const arm = () => {
      const delay = timerDelay(input.dueAt, env.now())
      handle = env.setTimeout(() => {
        if (env.now() >= input.dueAt) sendBack(input.event)
        else arm()
      }, delay)
    }
    arm()
    return () => env.clearTimeout(handle)
  })
}
