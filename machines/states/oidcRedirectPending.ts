/** `oidcRedirectPending`: the page went to the provider; the callback (or a timeout) ends the wait. */

import { SessionError } from '../../src/SessionError.js'
import { sessionSetup } from '../session.setup.js'
import {
  landAfterFailure,
  mismatchedCallback,
  type Of,
  redirect,
  releaseKeys,
  takeOwnSession,
} from '../session.transitions.js'

export const redirectPendingState = sessionSetup.createStateConfig({
  tags: ['busy'],
  initial: 'waiting',
  // Whatever ends the wait (sign-out, a newer sign-in, a timeout, the callback itself), the
  // method forgets the redirect's PKCE verifier, state and nonce; a late callback then fails.
  exit: { type: 'abandonRedirect', params: ({ context }) => ({ pending: context.pendingRedirect }) },
  on: {
    REMOTE_SESSION: {
      guard: { type: 'remoteIsFresher', params: ({ event }) => ({ record: event.record }) },
      actions: [
        { type: 'holdAsFallback', params: ({ event }) => ({ record: event.record }) },
        ...releaseKeys,
      ],
    },
  },
  states: {
    waiting: {
      invoke: {
        src: 'dueTimer',
        input: ({ context }) => ({
          dueAt: context.pendingRedirect?.expiresAt ?? 0,
          event: 'REDIRECT_TIMEOUT',
        }),
      },
      on: {
        // Only the callback that carries this redirect's state, for its method, completes it
        // (another provider's on the same callback URL cannot: no mix-up).
        REDIRECT_CALLBACK: [
          {
            guard: {
              type: 'callbackMatchesPending',
              params: ({ event }) => ({ state: event.state, methodId: event.methodId }),
            },
            target: 'completing',
            actions: [{ type: 'startAttempt', params: ({ event }) => ({ attemptId: event.attemptId }) }],
          },
          ...landAfterFailure(mismatchedCallback, [
            {
              type: 'startAttempt',
              params: ({ event }) => ({ attemptId: (event as Of<'REDIRECT_CALLBACK'>).attemptId }),
            },
          ]),
        ],
        REDIRECT_TIMEOUT: {
          target: '#session.signedOut',
          actions: [
            'clearRecord',
            ...releaseKeys,
            'persist',
            {
              type: 'failAttempt',
              params: () => ({
                error: new SessionError('REDIRECT_TIMEOUT', 'The redirect sign-in was abandoned'),
              }),
            },
            'dropAttempt',
            {
              type: 'reportError',
              params: () => ({
                error: new SessionError('REDIRECT_TIMEOUT', 'The redirect sign-in was abandoned'),
              }),
            },
          ],
        },
      },
    },
    completing: {
      invoke: {
        src: 'completeRedirect',
        input: ({ context, event }) => ({
          pending: context.pendingRedirect as NonNullable<typeof context.pendingRedirect>,
          url: (event as Of<'REDIRECT_CALLBACK'>).url,
        }),
        onDone: [...takeOwnSession(redirect), ...landAfterFailure(redirect)],
      },
    },
  },
})
