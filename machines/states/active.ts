/** `active`: a usable session; one timer waits for the refresh time (or expiry), reads look at the clock too. */

import { nextCheckAt } from '../refreshSchedule.js'
import { sessionSetup } from '../session.setup.js'
import { lookAtTheClock } from '../session.transitions.js'

export const activeState = sessionSetup.createStateConfig({
  tags: ['hasSession', 'tokenUsable'],
  entry: 'scheduleCheck',
  invoke: {
    src: 'dueTimer',
    input: ({ context }) => ({
      dueAt: context.record ? nextCheckAt(context.record, context.refreshSkewSeconds) : 0,
      event: 'CHECK',
    }),
  },
  on: {
    REFRESH: {
      guard: { type: 'mayRefreshNow', params: ({ event }) => ({ now: event.now }) },
      target: 'refreshing',
    },
    // Timers lie in sleeping tabs: every read, timer and wake-up looks at the clock.
    CHECK: lookAtTheClock,
    WAKE: lookAtTheClock,
  },
})
