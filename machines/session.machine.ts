/**
 * The session lifecycle as one statechart, and the one authority over it. Every input (an app
 * call, a timer, a wake-up, another tab) arrives as an event; guards decide; effects are named
 * actions and actors that `src/` provides. Time enters only through event and outcome payloads
 * (`now`, in ms), so guards stay pure. Read this file and `session.setup.ts` to know what the
 * session does; `docs/lifecycle.md` is drawn from it.
 */
import { spawnChild } from 'xstate'
import { SessionError } from '../src/SessionError.js'
import { sessionSetup } from './session.setup.js'
import { type Of, releaseKeys } from './session.transitions.js'
import { refOf } from './sessionRecord.js'
import { activeState } from './states/active.js'
import { authenticatingState } from './states/authenticating.js'
import { expiredState } from './states/expired.js'
import { redirectPendingState } from './states/oidcRedirectPending.js'
import { refreshingState } from './states/refreshing.js'
import { restoringState } from './states/restoring.js'

export type {
  DueTimerInput,
  EndSessionInput,
  LoadOutcome,
  RedirectOutcome,
  RefreshOutcome,
  SessionContext,
  SessionEmitted,
  SessionEvent,
  SessionMachineInput,
  SignInOutcome,
} from './session.types.js'

export const sessionMachine = sessionSetup.createMachine({
  id: 'session',
  context: ({ input }) => ({
    record: null,
    basis: null,
    expired: null,
    pendingRedirect: null,
    signedOut: null,
    refreshSkewSeconds: input.refreshSkewSeconds,
    restored: input.restored,
    restoredAt: input.now,
    checkAt: 0,
    refreshAttempt: 0,
    retryAt: 0,
    attempt: null,
    heldKeys: [],
  }),
  initial: 'restoring',
  on: {
    SIGN_OUT: {
      target: '.signedOut',
      actions: [
        'dropAttempt',
        // The server side (revocation, the logout redirect, then the key) runs after local state is gone.
        spawnChild('endSession', {
          input: ({ context, event }) => ({
            record: context.record,
            redirect: (event as Of<'SIGN_OUT'>).redirect,
          }),
        }),
        { type: 'broadcastSignedOut', params: ({ context }) => ({ session: context.basis }) },
        // The key goes to endSession: revocation may need it for a DPoP proof.
        { type: 'forgetRecordKey', params: ({ context }) => ({ session: context.basis }) },
        { type: 'forgetSession', params: ({ context }) => ({ session: context.basis }) },
        ...releaseKeys,
        'persist',
      ],
    },
    REMOTE_SIGNED_OUT: [
      {
        guard: { type: 'signOutConcernsHeld', params: ({ event }) => ({ session: event.session }) },
        target: '.signedOut',
        actions: [
          { type: 'forgetRecordKey', params: ({ event }) => ({ session: event.session }) },
          { type: 'forgetSession', params: ({ event }) => ({ session: event.session }) },
          ...releaseKeys,
          'persist',
        ],
      },
      { actions: { type: 'noteSignOut', params: ({ event }) => ({ session: event.session }) } },
    ],
    // The key of a session this tab's write displaced in storage: its own tab may never hear that
    // it lost (reloaded, closed), so the tab that displaced it deletes it.
    KEY_DISPLACED: {
      guard: { type: 'keyIsNobodysHere', params: ({ event }) => ({ keyId: event.keyId }) },
      actions: { type: 'deleteKeys', params: ({ event }) => ({ keyIds: [event.keyId] }) },
    },
    REMOTE_EXPIRED: {
      guard: { type: 'expiryConcernsHeld', params: ({ event }) => ({ session: event.session }) },
      target: '.expired',
      actions: [
        { type: 'forgetRecordKey', params: ({ event }) => ({ session: event.session }) },
        { type: 'takeRemoteExpiry', params: ({ event }) => ({ expired: event.expired }) },
        ...releaseKeys,
      ],
    },
    REMOTE_SESSION: [
      {
        guard: {
          type: 'remoteIsFresherAndUsable',
          params: ({ event }) => ({ record: event.record, now: event.now }),
        },
        target: '.active',
        actions: [
          { type: 'hold', params: ({ event }) => ({ record: event.record }) },
          ...releaseKeys,
          'persist',
        ],
      },
      {
        // Another tab's token already ran out (a provider answering expires_in 0): wait for the
        // refresh floor in `refreshing`, never `active` with a dead token.
        guard: { type: 'remoteIsFresher', params: ({ event }) => ({ record: event.record }) },
        target: '.refreshing.backoff',
        actions: [
          { type: 'hold', params: ({ event }) => ({ record: event.record }) },
          'retryAtFloor',
          ...releaseKeys,
          'persist',
        ],
      },
    ],
    SIGN_IN: {
      target: '.authenticating',
      reenter: true,
      actions: [{ type: 'startAttempt', params: ({ event }) => ({ attemptId: event.attemptId }) }],
    },
    SESSION_ESTABLISHED: {
      target: '.active',
      actions: [
        { type: 'holdOwnSignIn', params: ({ event }) => ({ record: event.record, now: event.now }) },
        ...releaseKeys,
        'persist',
        'broadcastSession',
        { type: 'startAttempt', params: ({ event }) => ({ attemptId: event.attemptId }) },
        'settleAttempt',
        'dropAttempt',
      ],
    },
    // A callback the waiting redirect does not expect (see oidcRedirectPending.waiting): refused.
    REDIRECT_CALLBACK: {
      actions: [
        { type: 'refuseCallback', params: ({ event }) => ({ attemptId: event.attemptId }) },
        {
          type: 'reportError',
          params: () => ({
            error: new SessionError(
              'REDIRECT_STATE_MISMATCH',
              'Ignored a callback no pending redirect expects',
            ),
          }),
        },
      ],
    },
  },
  states: {
    restoring: restoringState,
    signedOut: {},
    authenticating: authenticatingState,
    oidcRedirectPending: redirectPendingState,
    active: activeState,
    refreshing: refreshingState,
    expired: expiredState,
  },
})

/** Keeps `refOf` reachable for readers of this file: messages name sessions by it. */
export { refOf }
