/** `restoring`: read what storage holds (at once when it is synchronous) and route to where the session is. */

import { sessionSetup } from '../session.setup.js'
import { releaseKeys } from '../session.transitions.js'

export const restoringState = sessionSetup.createStateConfig({
  initial: 'checking',
  states: {
    checking: {
      always: [
        {
          guard: 'hasRestoredState',
          target: 'routing',
          actions: {
            type: 'takeStored',
            params: ({ context }) => ({
              stored: context.restored as NonNullable<typeof context.restored>,
              now: context.restoredAt,
            }),
          },
        },
        { target: 'loading' },
      ],
    },
    loading: {
      invoke: {
        src: 'loadStoredSession',
        onDone: {
          target: 'routing',
          actions: {
            type: 'takeStored',
            params: ({ event }) => ({ stored: event.output.stored, now: event.output.now }),
          },
        },
        onError: {
          // Storage failed: start signed out, but never wipe what storage may still hold.
          target: '#session.signedOut',
          actions: { type: 'reportError', params: ({ event }) => ({ error: event.error }) },
        },
      },
    },
    routing: {
      always: [
        { guard: 'hasPendingRedirect', target: '#session.oidcRedirectPending' },
        { guard: 'hasValidRecord', target: '#session.active' },
        { guard: 'canRefresh', target: '#session.refreshing' },
        {
          guard: 'hasRecord',
          target: '#session.expired',
          actions: [
            {
              type: 'expireRecord',
              params: ({ context }) => ({
                now: (context.record?.session.expiresAt ?? 0) * 1000,
                reason: 'expired' as const,
              }),
            },
            ...releaseKeys,
            'persist',
          ],
        },
        { guard: 'hasExpiredEvent', target: '#session.expired' },
        {
          // A redirect abandoned long ago: let its method and its key go.
          guard: 'hasPendingRedirectAtAll',
          target: '#session.signedOut',
          actions: [
            { type: 'abandonRedirect', params: ({ context }) => ({ pending: context.pendingRedirect }) },
            'clearRecord',
            ...releaseKeys,
            'persist',
          ],
        },
        // Nothing (or nothing readable) was stored: leave storage as it is.
        { target: '#session.signedOut' },
      ],
    },
  },
})
