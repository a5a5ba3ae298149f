/** `authenticating`: a method's sign-in runs; news from other tabs only changes where a failure lands. */

import { sessionSetup } from '../session.setup.js'
import { landAfterFailure, type Of, releaseKeys, signIn, takeOwnSession } from '../session.transitions.js'

export const authenticatingState = sessionSetup.createStateConfig({
  tags: ['busy'],
  on: {
    // While a sign-in runs, news from other tabs only changes where a failure would land.
    REMOTE_SESSION: {
      guard: { type: 'remoteIsFresher', params: ({ event }) => ({ record: event.record }) },
      actions: [
        { type: 'holdAsFallback', params: ({ event }) => ({ record: event.record }) },
        ...releaseKeys,
      ],
    },
    REMOTE_SIGNED_OUT: {
      guard: { type: 'signOutConcernsHeld', params: ({ event }) => ({ session: event.session }) },
      actions: [
        { type: 'forgetRecordKey', params: ({ event }) => ({ session: event.session }) },
        { type: 'noteSignOut', params: ({ event }) => ({ session: event.session }) },
        'clearRecord',
        'clearExpired',
        ...releaseKeys,
      ],
    },
    REMOTE_EXPIRED: {
      guard: { type: 'expiryConcernsHeld', params: ({ event }) => ({ session: event.session }) },
      actions: [
        { type: 'forgetRecordKey', params: ({ event }) => ({ session: event.session }) },
        { type: 'takeRemoteExpiry', params: ({ event }) => ({ expired: event.expired }) },
        ...releaseKeys,
      ],
    },
  },
  invoke: {
    src: 'signInWithMethod',
    input: ({ event }) => ({
      methodId: (event as Of<'SIGN_IN'>).methodId,
      params: (event as Of<'SIGN_IN'>).params,
    }),
    onDone: [
      {
        guard: { type: 'isRedirect', params: ({ event }) => ({ outcome: event.output }) },
        target: 'oidcRedirectPending',
        // The session (if any) gives way to the redirect; an expired event stays until one completes.
        actions: [
          'clearRecord',
          {
            type: 'startRedirect',
            params: ({ event }) => ({ outcome: signIn(event) }),
          },
          ...releaseKeys,
          'persist',
          {
            type: 'navigate',
            params: ({ event }) => {
              const o = signIn(event)
              return { url: o.kind === 'redirect' ? o.url : '' }
            },
          },
        ],
      },
      ...takeOwnSession(signIn),
      ...landAfterFailure(signIn),
    ],
  },
})
