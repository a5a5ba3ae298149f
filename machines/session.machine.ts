/**
 * The session lifecycle as one statechart, and the one authority over it. Every input (an app
 * call, a timer, a wake-up, another tab) arrives as an event; guards decide; effects are named
 * actions and actors that `src/` provides. Time enters only through event and outcome payloads
 * (`now`, in ms), so guards stay pure. Read this file and `session.setup.ts` to know what the
 * session does; `docs/lifecycle.md` is drawn from it.
 */
import { spawnChild } from 'xstate'
import { SessionError } from '../src/SessionError.js'
import { nextCheckAt } from './refreshSchedule.js'
import {
  type FailureLanding,
  orphanKeys,
  outputOf,
  sessionSetup,
  shortLivedTokenError,
} from './session.setup.js'
import type {
  RedirectOutcome,
  RefreshOutcome,
  SessionContext,
  SessionEvent,
  SignInOutcome,
} from './session.types.js'
import { refOf, type SessionRecord } from './sessionRecord.js'

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

/** Delete the keys this tab held that nothing references any more; hold the new ones. */
const releaseKeys = [
  {
    type: 'deleteKeys',
    params: ({ context }: { context: SessionContext }) => ({ keyIds: orphanKeys(context) }),
  },
  'holdReferencedKeys',
] as const

type Of<T extends SessionEvent['type']> = Extract<SessionEvent, { type: T }>
const signIn = (o: unknown) => outputOf<SignInOutcome>(o)
const redirect = (o: unknown) => outputOf<RedirectOutcome>(o)
const refresh = (o: unknown) => outputOf<RefreshOutcome>(o)
const failedError = (o: SignInOutcome | RedirectOutcome) =>
  o.kind === 'failed' ? o.error : new SessionError('SIGN_IN_FAILED', 'Sign-in failed')
const outcomeNow = (o: SignInOutcome | RedirectOutcome) => ('now' in o ? o.now : 0)

/**
 * Where a failed sign-in or redirect lands: back where the tab was (its session, its expired
 * event, or signed out), reporting the error and telling the attempt's caller.
 */
function landAfterFailure(read: (event: unknown) => SignInOutcome | RedirectOutcome) {
  type Args = { event: unknown }
  const error = ({ event }: Args) => ({ error: failedError(read(event)) })
  const tell = [
    { type: 'reportError', params: error },
    { type: 'failAttempt', params: error },
    'dropAttempt',
  ] as const
  const lands = (state: FailureLanding) => ({
    type: 'landsIn' as const,
    params: ({ event }: Args) => ({ now: outcomeNow(read(event)), state }),
  })
  const expire = {
    type: 'expireRecord' as const,
    params: ({ event }: Args) => ({ now: outcomeNow(read(event)), reason: 'expired' as const }),
  }
  return [
    {
      guard: lands('active'),
      target: '#session.active',
      actions: ['clearPending', ...releaseKeys, 'persist', ...tell],
    },
    {
      guard: lands('expireNow'),
      target: '#session.expired',
      actions: ['clearPending', expire, ...releaseKeys, 'persist', ...tell],
    },
    {
      // The expired event (and a refresh credential kept after a network failure) stay as they were.
      guard: lands('expired'),
      target: '#session.expired',
      actions: ['clearPending', ...releaseKeys, 'persist', ...tell],
    },
    { target: '#session.signedOut', actions: ['clearRecord', ...releaseKeys, 'persist', ...tell] },
  ] as const
}

/** On CHECK and WAKE in `active`: refresh when due, expire when a token that cannot refresh ran out. */
const lookAtTheClock = [
  {
    guard: { type: 'refreshDueNow', params: ({ event }: { event: { now: number } }) => ({ now: event.now }) },
    target: 'refreshing',
  },
  {
    guard: { type: 'expiredNow', params: ({ event }: { event: { now: number } }) => ({ now: event.now }) },
    target: 'expired',
    actions: [
      {
        type: 'expireRecord',
        params: ({ event }: { event: { now: number } }) => ({ now: event.now, reason: 'expired' as const }),
      },
      ...releaseKeys,
      'persist',
      'broadcastExpired',
    ],
  },
] as const

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
        spawnChild('endSession', {
          input: ({ context, event }) => ({
            record: context.record as SessionRecord,
            redirect: (event as Of<'SIGN_OUT'>).redirect,
          }),
        }),
        { type: 'broadcastSignedOut', params: ({ context }) => ({ session: context.basis }) },
        // The key goes to endSession: revocation may need it for a DPoP proof.
        'forgetRecordKey',
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
          'forgetRecordKey',
          { type: 'forgetSession', params: ({ event }) => ({ session: event.session }) },
          ...releaseKeys,
          'persist',
        ],
      },
      { actions: { type: 'noteSignOut', params: ({ event }) => ({ session: event.session }) } },
    ],
    REMOTE_EXPIRED: {
      guard: { type: 'expiryConcernsHeld', params: ({ event }) => ({ session: event.session }) },
      target: '.expired',
      actions: [
        'forgetRecordKey',
        { type: 'takeRemoteExpiry', params: ({ event }) => ({ expired: event.expired }) },
        ...releaseKeys,
      ],
    },
    REMOTE_SESSION: {
      guard: { type: 'remoteIsFresher', params: ({ event }) => ({ record: event.record }) },
      target: '.active',
      actions: [
        { type: 'hold', params: ({ event }) => ({ record: event.record }) },
        ...releaseKeys,
        'persist',
      ],
    },
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
    REDIRECT_CALLBACK: [
      {
        guard: {
          type: 'callbackMatchesPending',
          params: ({ event }) => ({ state: event.state, methodId: event.methodId }),
        },
        target: '.oidcRedirectPending.completing',
        actions: [{ type: 'startAttempt', params: ({ event }) => ({ attemptId: event.attemptId }) }],
      },
      {
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
    ],
  },
  states: {
    restoring: {
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
              target: '#session.signedOut',
              actions: ['clearRecord', ...releaseKeys, 'persist'],
            },
          ],
        },
      },
    },

    signedOut: {},

    authenticating: {
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
            'forgetRecordKey',
            { type: 'noteSignOut', params: ({ event }) => ({ session: event.session }) },
            'clearRecord',
            'clearExpired',
            ...releaseKeys,
          ],
        },
        REMOTE_EXPIRED: {
          guard: { type: 'expiryConcernsHeld', params: ({ event }) => ({ session: event.session }) },
          actions: [
            'forgetRecordKey',
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
            actions: [
              'clearRecord',
              'clearExpired',
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
          {
            guard: { type: 'isSession', params: ({ event }) => ({ outcome: event.output }) },
            target: 'active',
            actions: [
              {
                type: 'holdOwnSignIn',
                params: ({ event }) => {
                  const o = signIn(event) as Extract<SignInOutcome, { kind: 'session' }>
                  return { record: o.record, now: o.now }
                },
              },
              ...releaseKeys,
              'persist',
              'broadcastSession',
              'settleAttempt',
              'dropAttempt',
            ],
          },
          ...landAfterFailure(signIn),
        ],
      },
    },

    oidcRedirectPending: {
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
            onDone: [
              {
                guard: { type: 'isSession', params: ({ event }) => ({ outcome: event.output }) },
                target: '#session.active',
                actions: [
                  {
                    type: 'holdOwnSignIn',
                    params: ({ event }) => {
                      const o = redirect(event) as Extract<RedirectOutcome, { kind: 'session' }>
                      return { record: o.record, now: o.now }
                    },
                  },
                  ...releaseKeys,
                  'persist',
                  'broadcastSession',
                  'settleAttempt',
                  'dropAttempt',
                ],
              },
              ...landAfterFailure(redirect),
            ],
          },
        },
      },
    },

    active: {
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
    },

    refreshing: {
      tags: ['hasSession'],
      initial: 'requesting',
      states: {
        requesting: {
          invoke: {
            src: 'refreshSession',
            input: ({ context }) => ({ record: context.record as SessionRecord }),
            onDone: [
              {
                guard: { type: 'refreshSucceeded', params: ({ event }) => ({ outcome: event.output }) },
                target: '#session.active',
                actions: [
                  {
                    type: 'hold',
                    params: ({ event }) => ({
                      record: (refresh(event) as Extract<RefreshOutcome, { ok: true }>).record,
                    }),
                  },
                  ...releaseKeys,
                  'persist',
                  'broadcastSession',
                  {
                    type: 'reportError',
                    params: ({ context }) => ({ error: shortLivedTokenError(context.record) }),
                  },
                  'settleRefresh',
                ],
              },
              {
                // The answer is not fresher than what this tab already holds (another tab won).
                guard: { type: 'refreshStale', params: ({ event }) => ({ outcome: event.output }) },
                target: '#session.active',
                actions: 'settleRefresh',
              },
              {
                guard: { type: 'isRejection', params: ({ event }) => ({ outcome: event.output }) },
                target: '#session.expired',
                actions: [
                  {
                    type: 'expireRecord',
                    params: ({ event }) => ({ now: refresh(event).now, reason: 'refresh_rejected' as const }),
                  },
                  ...releaseKeys,
                  'persist',
                  'broadcastExpired',
                  {
                    type: 'failRefresh',
                    params: ({ event }) => ({ error: errorOf(refresh(event)), final: true }),
                  },
                ],
              },
              {
                guard: { type: 'isTransientWhileValid', params: ({ event }) => ({ outcome: event.output }) },
                target: 'backoff',
                actions: [
                  {
                    type: 'scheduleRetry',
                    params: ({ event }) => {
                      const o = refresh(event) as Extract<RefreshOutcome, { ok: false }>
                      return { now: o.now, jitter: o.jitter }
                    },
                  },
                  { type: 'reportError', params: ({ event }) => ({ error: errorOf(refresh(event)) }) },
                  {
                    type: 'failRefresh',
                    params: ({ event }) => ({ error: errorOf(refresh(event)), final: false }),
                  },
                ],
              },
              {
                // A transient failure after the token ran out: expired, but the refresh credential
                // is kept so the network coming back (or a reload) can still recover the session.
                target: '#session.expired',
                actions: [
                  {
                    type: 'expireRecord',
                    params: ({ event }) => ({ now: refresh(event).now, reason: 'refresh_failed' as const }),
                  },
                  'persist',
                  { type: 'reportError', params: ({ event }) => ({ error: errorOf(refresh(event)) }) },
                  {
                    type: 'failRefresh',
                    params: ({ event }) => ({ error: errorOf(refresh(event)), final: true }),
                  },
                ],
              },
            ],
          },
        },
        backoff: {
          invoke: {
            src: 'dueTimer',
            input: ({ context }) => ({ dueAt: context.retryAt, event: 'RETRY_DUE' }),
          },
          on: { RETRY_DUE: 'requesting', REFRESH: 'requesting', WAKE: 'requesting' },
        },
      },
    },

    expired: {
      on: {
        // Only a session that expired on a network failure still holds a refresh credential.
        REFRESH: { guard: 'canRefresh', target: 'refreshing' },
        WAKE: { guard: 'canRefresh', target: 'refreshing' },
      },
    },
  },
})

function errorOf(outcome: RefreshOutcome): SessionError {
  return outcome.ok ? new SessionError('REFRESH_FAILED', 'The refresh failed') : outcome.error
}

/** Keeps `refOf` reachable for readers of this file: messages name sessions by it. */
export { refOf }
