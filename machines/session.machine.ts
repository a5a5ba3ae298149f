/**
 * The session lifecycle as one statechart. Pure: every effect (storage, HTTP, timers, broadcasts,
 * navigation) is a named actor or action that `src/` provides with `machine.provide()`.
 * Time enters only through event payloads (`now`, in ms), so guards stay pure and testable.
 */
import { assign, fromCallback, fromPromise, setup } from 'xstate'
import type { SessionError } from '../src/SessionError.js'
import type { SessionExpiredEvent, SessionExpiredReason } from '../src/session.js'
import { isTokenExpired, refreshDueAt, retryAt } from './refreshSchedule.js'
import type { PendingRedirect, SessionRecord, StoredSessionState } from './sessionRecord.js'

/** What the client knows when it creates the actor. */
export interface SessionMachineInput {
  refreshSkewSeconds: number
  /** The stored state when storage could be read synchronously; absent means "load it async". */
  restored?: StoredSessionState
  /** Milliseconds since the epoch at construction, for routing a synchronously restored state. */
  now: number
}

export interface SessionContext {
  record: SessionRecord | null
  /** The latest expired event; replayed to late subscribers until a new session or sign-out. */
  expired: SessionExpiredEvent | null
  pendingRedirect: PendingRedirect | null
  refreshSkewSeconds: number
  restored: StoredSessionState | undefined
  /** When the restored state was read (ms): what "expired yet?" is judged against while routing. */
  restoredAt: number
  /** Consecutive transient refresh failures in the current refresh. */
  refreshAttempt: number
  /** Absolute time (ms) of the next refresh retry. */
  retryAt: number
  /** Counts finished refresh attempts (success or failure), so callers can wait for "the next one". */
  refreshSeq: number
  /** The error of the latest failed attempt, cleared by success. */
  lastRefreshError: SessionError | null
  /** The latest sign-in or redirect failure, for `signIn()` to reject with. */
  lastError: SessionError | null
  /** Counts sign-in attempts, so a caller can tell its own outcome from an older one. */
  signInSeq: number
}

/** Output of the `signInWithMethod` actor. */
export type SignInOutcome =
  | { kind: 'session'; record: SessionRecord; now: number }
  | { kind: 'redirect'; pendingRedirect: PendingRedirect; url: string }

/** Output of the `refreshSession` actor: it never rejects, so the machine sees every outcome. */
export type RefreshOutcome =
  | { ok: true; record: SessionRecord; now: number }
  | { ok: false; error: SessionError; now: number; jitter: number }

/** Output of the `loadStoredSession` actor. */
export interface LoadOutcome {
  stored: StoredSessionState
  now: number
}

export type SessionEvent =
  | { type: 'SIGN_IN'; methodId: string; params: unknown }
  | { type: 'REDIRECT_CALLBACK'; methodId: string; url: string }
  /** A session made here without the machine's help: setTokens, restore(serialized). */
  | { type: 'SESSION_ESTABLISHED'; record: SessionRecord; now: number }
  /** Another tab signed in or refreshed. */
  | { type: 'REMOTE_SESSION'; record: SessionRecord; now: number }
  | { type: 'REMOTE_SIGNED_OUT' }
  | { type: 'REMOTE_EXPIRED'; expired: SessionExpiredEvent }
  | { type: 'REFRESH'; now: number }
  /** A read, a wake-up, focus or the network coming back: re-check expiry now. */
  | { type: 'CHECK'; now: number }
  | { type: 'SIGN_OUT' }
  | { type: 'REFRESH_DUE' }
  | { type: 'TOKEN_EXPIRED' }
  | { type: 'RETRY_DUE' }
  | { type: 'REDIRECT_TIMEOUT' }

/** Input of the `dueTimer` actor: fire `event` at `dueAt` (ms), however long the tab slept. */
export interface DueTimerInput {
  dueAt: number
  event: SessionEvent
}

function expiredEvent(record: SessionRecord, now: number, reason: SessionExpiredReason): SessionExpiredEvent {
  return {
    session: record.session,
    expiredAt: Math.floor(Math.min(now / 1000, record.session.expiresAt)),
    reason,
  }
}

/** Fresher means: another session, or the same session with a token issued no earlier. */
function isFresher(incoming: SessionRecord, current: SessionRecord | null): boolean {
  if (!current || incoming.session.id !== current.session.id) return true
  return (
    incoming.session.issuedAt >= current.session.issuedAt &&
    incoming.session.accessToken !== current.session.accessToken
  )
}

const unprovided = (name: string) => () => {
  throw new Error(`session machine: actor "${name}" must be provided`)
}

export const sessionMachine = setup({
  types: {} as {
    context: SessionContext
    events: SessionEvent
    input: SessionMachineInput
  },
  actors: {
    loadStoredSession: fromPromise<LoadOutcome>(unprovided('loadStoredSession')),
    signInWithMethod: fromPromise<SignInOutcome, { methodId: string; params: unknown }>(
      unprovided('signInWithMethod'),
    ),
    completeRedirect: fromPromise<
      { record: SessionRecord; now: number },
      { methodId: string; url: string; keyId: string | undefined }
    >(unprovided('completeRedirect')),
    refreshSession: fromPromise<RefreshOutcome, { record: SessionRecord }>(unprovided('refreshSession')),
    dueTimer: fromCallback<SessionEvent, DueTimerInput>(() => undefined),
  },
  actions: {
    /** Write record, expired event and pending redirect as they stand in context. */
    persist: () => undefined,
    /** Remove everything of the session from storage (sign-out). */
    clearPersisted: () => undefined,
    /** Tell other tabs about the current session / expiry / sign-out. */
    broadcastSession: () => undefined,
    broadcastExpired: () => undefined,
    broadcastSignedOut: () => undefined,
    /** Send the page to the provider. */
    navigate: (_, _params: { url: string }) => undefined,
    /** Report a non-fatal error on `errors$`. */
    reportError: (_, _params: { error: unknown }) => undefined,

    takeRestored: assign(({ context }) => ({
      record: context.restored?.record ?? null,
      expired: context.restored?.expired ?? null,
      pendingRedirect: context.restored?.pendingRedirect ?? null,
    })),
    adoptRecord: assign(({ event }) => ({
      record: (event as { record: SessionRecord }).record,
      expired: null,
      pendingRedirect: null,
      refreshAttempt: 0,
      lastRefreshError: null,
    })),
    clearSession: assign({ record: null, expired: null, pendingRedirect: null, refreshAttempt: 0 }),
    /** The token ran out with no way to refresh: keep only the replayable event. */
    expireRecord: assign(({ context }) => ({
      record: null,
      expired: context.record
        ? expiredEvent(context.record, context.record.session.expiresAt * 1000, 'expired')
        : context.expired,
    })),
    expireRecordWith: assign(({ context }, params: { now: number; reason: SessionExpiredReason }) => ({
      // After a rejection the refresh credential is dead; after a network failure keep it for a retry.
      record: params.reason === 'refresh_failed' ? context.record : null,
      expired: context.record ? expiredEvent(context.record, params.now, params.reason) : context.expired,
      refreshAttempt: 0,
    })),
    countFailedRefresh: assign(({ context, event }) => ({
      refreshSeq: context.refreshSeq + 1,
      lastRefreshError: (event as unknown as { output: RefreshOutcome }).output.ok
        ? null
        : (event as unknown as { output: { error: SessionError } }).output.error,
    })),
  },
  guards: {
    hasRestoredState: ({ context }) => context.restored !== undefined,
    hasPendingRedirect: ({ context }) =>
      context.pendingRedirect !== null && context.pendingRedirect.expiresAt > context.restoredAt,
    hasValidRecord: ({ context }) =>
      context.record !== null && !isTokenExpired(context.record, context.restoredAt),
    hasRecord: ({ context }) => context.record !== null,
    /** A session that was active before a sign-in attempt (not one that already expired). */
    hasLiveSession: ({ context }) => context.record !== null && context.expired === null,
    hasExpiredEvent: ({ context }) => context.expired !== null,
    refreshSucceeded: (_, params: { outcome: RefreshOutcome }) => params.outcome.ok,
    isRedirectResult: (_, params: { outcome: SignInOutcome }) => params.outcome.kind === 'redirect',
    isRejection: (_, params: { outcome: RefreshOutcome }) =>
      !params.outcome.ok && params.outcome.error.code === 'SESSION_EXPIRED',
    isTransientWhileValid: ({ context }, params: { outcome: RefreshOutcome }) =>
      !params.outcome.ok && context.record !== null && !isTokenExpired(context.record, params.outcome.now),
    isFresher: ({ context }, params: { record: SessionRecord }) => isFresher(params.record, context.record),
    canRefresh: ({ context }) => context.record?.refreshable === true,
    /** On CHECK: a refreshable session inside its refresh window. */
    refreshDueNow: ({ context, event }) =>
      context.record?.refreshable === true &&
      (event as { now: number }).now >= refreshDueAt(context.record.session, context.refreshSkewSeconds),
    /** On CHECK: a session that cannot refresh and has run out. */
    expiredNow: ({ context, event }) =>
      context.record !== null &&
      !context.record.refreshable &&
      isTokenExpired(context.record, (event as { now: number }).now),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({
    record: null,
    expired: null,
    pendingRedirect: null,
    refreshSkewSeconds: input.refreshSkewSeconds,
    restored: input.restored,
    refreshAttempt: 0,
    retryAt: 0,
    refreshSeq: 0,
    lastRefreshError: null,
    lastError: null,
    signInSeq: 0,
    restoredAt: input.now,
  }),
  initial: 'restoring',
  on: {
    SIGN_OUT: { target: '.signedOut', actions: ['clearSession', 'clearPersisted', 'broadcastSignedOut'] },
    REMOTE_SIGNED_OUT: { target: '.signedOut', actions: 'clearSession' },
    SIGN_IN: {
      target: '.authenticating',
      actions: assign({ expired: null, lastError: null, signInSeq: ({ context }) => context.signInSeq + 1 }),
    },
    SESSION_ESTABLISHED: { target: '.active', actions: ['adoptRecord', 'persist', 'broadcastSession'] },
    REMOTE_SESSION: {
      guard: { type: 'isFresher', params: ({ event }) => ({ record: event.record }) },
      target: '.active',
      actions: 'adoptRecord',
    },
    REMOTE_EXPIRED: {
      target: '.expired',
      actions: assign({ record: null, pendingRedirect: null, expired: ({ event }) => event.expired }),
    },
    REDIRECT_CALLBACK: {
      target: '.oidcRedirectPending.completing',
      actions: assign({ lastError: null, signInSeq: ({ context }) => context.signInSeq + 1 }),
    },
  },
  states: {
    restoring: {
      initial: 'checking',
      states: {
        checking: {
          always: [
            { guard: 'hasRestoredState', target: '#session.restoring.routing', actions: 'takeRestored' },
            { target: 'loading' },
          ],
        },
        loading: {
          invoke: {
            src: 'loadStoredSession',
            onDone: {
              target: 'routing',
              actions: assign({
                record: ({ event }) => event.output.stored.record,
                expired: ({ event }) => event.output.stored.expired,
                pendingRedirect: ({ event }) => event.output.stored.pendingRedirect,
                restoredAt: ({ event }) => event.output.now,
              }),
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
            {
              guard: 'hasPendingRedirect',
              target: '#session.oidcRedirectPending',
            },
            {
              guard: 'hasValidRecord',
              target: '#session.active',
            },
            {
              guard: 'canRefresh',
              target: '#session.refreshing',
            },
            {
              guard: 'hasRecord',
              target: '#session.expired',
              actions: ['expireRecord', 'persist'],
            },
            { guard: 'hasExpiredEvent', target: '#session.expired' },
            { target: '#session.signedOut', actions: assign({ pendingRedirect: null }) },
          ],
        },
      },
    },

    signedOut: {},

    authenticating: {
      invoke: {
        src: 'signInWithMethod',
        input: ({ event }) => {
          const e = event as Extract<SessionEvent, { type: 'SIGN_IN' }>
          return { methodId: e.methodId, params: e.params }
        },
        onDone: [
          {
            guard: { type: 'isRedirectResult', params: ({ event }) => ({ outcome: event.output }) },
            target: 'oidcRedirectPending',
            actions: [
              assign({
                record: null,
                pendingRedirect: ({ event }) =>
                  event.output.kind === 'redirect' ? event.output.pendingRedirect : null,
              }),
              'persist',
              {
                type: 'navigate',
                params: ({ event }) => ({ url: event.output.kind === 'redirect' ? event.output.url : '' }),
              },
            ],
          },
          {
            target: 'active',
            actions: [
              assign({
                record: ({ event }) => (event.output.kind === 'session' ? event.output.record : null),
                expired: null,
                pendingRedirect: null,
              }),
              'persist',
              'broadcastSession',
            ],
          },
        ],
        // A failed or cancelled sign-in leaves an existing session as it was.
        onError: [
          {
            guard: 'hasLiveSession',
            target: 'active',
            actions: [
              assign({ lastError: ({ event }) => event.error as SessionError }),
              { type: 'reportError', params: ({ event }) => ({ error: event.error }) },
            ],
          },
          {
            target: 'signedOut',
            actions: [
              assign({ record: null, expired: null, lastError: ({ event }) => event.error as SessionError }),
              'persist',
              { type: 'reportError', params: ({ event }) => ({ error: event.error }) },
            ],
          },
        ],
      },
    },

    oidcRedirectPending: {
      initial: 'waiting',
      states: {
        waiting: {
          invoke: {
            src: 'dueTimer',
            input: ({ context }) => ({
              dueAt: context.pendingRedirect?.expiresAt ?? 0,
              event: { type: 'REDIRECT_TIMEOUT' } as const,
            }),
          },
          on: {
            REDIRECT_TIMEOUT: {
              target: '#session.signedOut',
              actions: [
                assign({ pendingRedirect: null }),
                'persist',
                { type: 'reportError', params: () => ({ error: 'REDIRECT_TIMEOUT' }) },
              ],
            },
          },
        },
        completing: {
          invoke: {
            src: 'completeRedirect',
            input: ({ event, context }) => {
              const e = event as Extract<SessionEvent, { type: 'REDIRECT_CALLBACK' }>
              return {
                methodId: e.methodId || context.pendingRedirect?.methodId || '',
                url: e.url,
                keyId: context.pendingRedirect?.keyId,
              }
            },
            onDone: {
              target: '#session.active',
              actions: [
                assign({ record: ({ event }) => event.output.record, expired: null, pendingRedirect: null }),
                'persist',
                'broadcastSession',
              ],
            },
            onError: [
              {
                guard: 'hasLiveSession',
                target: '#session.active',
                actions: [
                  assign({ pendingRedirect: null, lastError: ({ event }) => event.error as SessionError }),
                  'persist',
                  { type: 'reportError', params: ({ event }) => ({ error: event.error }) },
                ],
              },
              {
                target: '#session.signedOut',
                actions: [
                  assign({
                    record: null,
                    expired: null,
                    pendingRedirect: null,
                    lastError: ({ event }) => event.error as SessionError,
                  }),
                  'persist',
                  { type: 'reportError', params: ({ event }) => ({ error: event.error }) },
                ],
              },
            ],
          },
        },
      },
    },

    active: {
      invoke: {
        src: 'dueTimer',
        input: ({ context }) => {
          const record = context.record as SessionRecord
          return record.refreshable
            ? {
                dueAt: refreshDueAt(record.session, context.refreshSkewSeconds),
                event: { type: 'REFRESH_DUE' } as const,
              }
            : { dueAt: record.session.expiresAt * 1000, event: { type: 'TOKEN_EXPIRED' } as const }
        },
      },
      on: {
        // A stale timer event (the session was replaced meanwhile) must not refresh what cannot be.
        REFRESH_DUE: { guard: 'canRefresh', target: 'refreshing' },
        REFRESH: { guard: 'canRefresh', target: 'refreshing' },
        TOKEN_EXPIRED: { target: 'expired', actions: ['expireRecord', 'persist', 'broadcastExpired'] },
        // Timers lie in sleeping tabs: every read and wake-up re-checks against the clock.
        CHECK: [
          { guard: 'refreshDueNow', target: 'refreshing' },
          {
            guard: 'expiredNow',
            target: 'expired',
            actions: ['expireRecord', 'persist', 'broadcastExpired'],
          },
        ],
      },
    },

    refreshing: {
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
                  assign({
                    record: ({ event }) => (event.output.ok ? event.output.record : null),
                    refreshAttempt: 0,
                    refreshSeq: ({ context }) => context.refreshSeq + 1,
                    lastRefreshError: null,
                    // A session that expired on a network failure and came back is alive again.
                    expired: null,
                  }),
                  'persist',
                  'broadcastSession',
                ],
              },
              {
                guard: { type: 'isRejection', params: ({ event }) => ({ outcome: event.output }) },
                target: '#session.expired',
                actions: [
                  'countFailedRefresh',
                  {
                    type: 'expireRecordWith',
                    params: ({ event }) => ({ now: event.output.now, reason: 'refresh_rejected' as const }),
                  },
                  'persist',
                  'broadcastExpired',
                ],
              },
              {
                guard: { type: 'isTransientWhileValid', params: ({ event }) => ({ outcome: event.output }) },
                target: 'backoff',
                actions: [
                  'countFailedRefresh',
                  assign({
                    refreshAttempt: ({ context }) => context.refreshAttempt + 1,
                    retryAt: ({ context, event }) =>
                      event.output.ok
                        ? 0
                        : retryAt(
                            context.refreshAttempt + 1,
                            event.output.now,
                            event.output.jitter,
                            (context.record as SessionRecord).session.expiresAt * 1000,
                          ),
                  }),
                  {
                    type: 'reportError',
                    params: ({ event }) => ({ error: event.output.ok ? null : event.output.error }),
                  },
                ],
              },
              {
                // Transient failure after the token ran out: expired, but the refresh credential is kept
                // so a reload or the network coming back can still recover the session.
                target: '#session.expired',
                actions: [
                  'countFailedRefresh',
                  {
                    type: 'expireRecordWith',
                    params: ({ event }) => ({ now: event.output.now, reason: 'refresh_failed' as const }),
                  },
                  'persist',
                ],
              },
            ],
          },
        },
        backoff: {
          invoke: {
            src: 'dueTimer',
            input: ({ context }) => ({ dueAt: context.retryAt, event: { type: 'RETRY_DUE' } as const }),
          },
          on: { RETRY_DUE: { target: 'requesting' }, REFRESH: { target: 'requesting' } },
        },
      },
    },

    expired: {
      on: {
        // Only a session that expired on a network failure still holds a refresh credential.
        REFRESH: { guard: 'canRefresh', target: 'refreshing' },
      },
    },
  },
})
