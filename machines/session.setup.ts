/**
 * The session machine's vocabulary: the actors it invokes, the effects it asks for and the
 * guards it decides with. Effects (`persist`, `broadcast…`, `deleteKeys`, `navigate`,
 * `abandonRedirect`, `reportError`) are declared here and given a world by `src/` through
 * `machine.provide()`; everything that decides is pure and lives here.
 */
import { assign, emit, fromCallback, fromPromise, setup } from 'xstate'
import { SessionError } from '../src/SessionError.js'
import type { SessionExpiredEvent, SessionExpiredReason } from '../src/session.js'
import { compareSignIns, isAfterSignOut, isFresher, laterSignOut, nextSignInTime } from './freshness.js'
import { isTokenExpired, nextCheckAt, refreshFloorMs, retryAt } from './refreshSchedule.js'
import type {
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
import {
  type PendingRedirect,
  refOf,
  type SessionRecord,
  type SessionRef,
  type StoredSessionState,
} from './sessionRecord.js'

const unprovided = (name: string) => () => {
  throw new Error(`session machine: "${name}" must be provided`)
}

function expiredEvent(record: SessionRecord, now: number, reason: SessionExpiredReason): SessionExpiredEvent {
  return {
    session: record.session,
    expiredAt: Math.floor(Math.min(now / 1000, record.session.expiresAt)),
    reason,
  }
}

/**
 * The keys a context still needs: its record's and its pending redirect's.
 *
 * @example
 * ```ts
 * referencedKeys(client.actor.getSnapshot().context) // ['k1']: the record's key
 * ```
 */
export function referencedKeys(context: Pick<SessionContext, 'record' | 'pendingRedirect'>): string[] {
  const keys = [context.record?.keyId, context.pendingRedirect?.keyId]
  return [...new Set(keys.filter((k): k is string => typeof k === 'string'))]
}

/**
 * The keys this tab held that nothing references any more: `deleteKeys` takes them.
 *
 * @example
 * ```ts
 * import type { SessionRecord } from './sessionRecord.js'
 *
 * declare const record: SessionRecord
 * orphanKeys({ heldKeys: ['k1', 'k2'], record: { ...record, keyId: 'k2' }, pendingRedirect: null }) // ['k1']
 * ```
 */
export function orphanKeys(
  context: Pick<SessionContext, 'record' | 'pendingRedirect' | 'heldKeys'>,
): string[] {
  const referenced = referencedKeys(context)
  return context.heldKeys.filter((k) => !referenced.includes(k))
}

/**
 * The error to report once when a short-lived streak starts (the refresh floor does the rest), or null.
 *
 * @example
 * ```ts
 * const { record } = client.actor.getSnapshot().context
 * shortLivedTokenError(record) // SessionError('INVALID_TOKEN') for the first of a streak
 * ```
 */
export function shortLivedTokenError(record: SessionRecord | null): SessionError | null {
  if ((record?.shortLivedStreak ?? 0) !== 1) return null
  return new SessionError(
    'INVALID_TOKEN',
    'The provider issued a token that expires (almost) at once (expires_in 0, or a clock far off); refreshes slow down until it issues a usable one',
  )
}

/** A record committed by this tab's own sign-in: ordered after everything the tab has seen. */
function stampSignIn(record: SessionRecord, context: SessionContext, now: number): SessionRecord {
  const signedInAt = nextSignInTime(now, context.record, context.signedOut, context.basis)
  return { ...record, signedInAt, generation: 0, obtainedAt: Math.max(record.obtainedAt, now) }
}

/** What a context holds after taking `record` as its session. */
function holding(record: SessionRecord, context: SessionContext) {
  return {
    record,
    basis: refOf(record),
    expired: null,
    pendingRedirect: null,
    refreshAttempt: 0,
    checkAt: nextCheckAt(record, context.refreshSkewSeconds),
  }
}

/** Where a failed sign-in or redirect lands. */
export type FailureLanding = 'active' | 'awaitRefresh' | 'expireNow' | 'expired' | 'signedOut'

/**
 * A failed sign-in lands where the tab was: its session (refreshing if its token ran out meanwhile,
 * expired if it cannot refresh), its expired event (kept, and replayed), or signed out.
 *
 * @example
 * ```ts
 * failureLanding(client.actor.getSnapshot().context, Date.now()) // 'expired' after an expiry
 * ```
 */
export function failureLanding(context: SessionContext, now: number): FailureLanding {
  const record = context.record
  if (context.expired !== null) return 'expired'
  if (!record) return 'signedOut'
  if (!isTokenExpired(record, now)) return 'active'
  return record.refreshable ? 'awaitRefresh' : 'expireNow'
}

type Output<T> = { output: T }

export const sessionSetup = setup({
  types: {} as {
    context: SessionContext
    events: SessionEvent
    input: SessionMachineInput
    emitted: SessionEmitted
    tags: 'hasSession' | 'tokenUsable' | 'busy'
  },
  actors: {
    loadStoredSession: fromPromise<LoadOutcome>(unprovided('loadStoredSession')),
    signInWithMethod: fromPromise<SignInOutcome, { methodId: string; params: unknown }>(
      unprovided('signInWithMethod'),
    ),
    completeRedirect: fromPromise<RedirectOutcome, { pending: PendingRedirect; url: string }>(
      unprovided('completeRedirect'),
    ),
    refreshSession: fromPromise<RefreshOutcome, { record: SessionRecord }>(unprovided('refreshSession')),
    /** Sign-out's server side, after local state is gone: revocation, logout redirect, the key. */
    endSession: fromPromise<void, EndSessionInput>(unprovided('endSession')),
    dueTimer: fromCallback<SessionEvent, DueTimerInput>(() => undefined),
  },
  actions: {
    /** Write record, expired event, pending redirect and sign-out horizon as they stand. */
    persist: () => undefined,
    /** Tell other tabs: the current session, its expiry, or a sign-out (each names its session). */
    broadcastSession: () => undefined,
    broadcastExpired: () => undefined,
    broadcastSignedOut: (_, _params: { session: SessionRef | null }) => undefined,
    /** Send the page to the provider. */
    navigate: (_, _params: { url: string }) => undefined,
    /** Report a non-fatal error on `errors$`. */
    reportError: (_, _params: { error: unknown }) => undefined,
    /** Delete session keys no record or redirect references any more. */
    deleteKeys: (_, _params: { keyIds: string[] }) => undefined,
    /** Let the method forget a redirect that will not complete (PKCE verifier, state, nonce). */
    abandonRedirect: (_, _params: { pending: PendingRedirect | null }) => undefined,

    takeStored: assign(({ context }, params: { stored: StoredSessionState; now: number }) => ({
      record: params.stored.record,
      basis: params.stored.record ? refOf(params.stored.record) : params.stored.signedOut,
      expired: params.stored.expired,
      pendingRedirect: params.stored.pendingRedirect,
      signedOut: params.stored.signedOut,
      restoredAt: params.now,
      heldKeys: referencedKeys(params.stored),
      checkAt: params.stored.record ? nextCheckAt(params.stored.record, context.refreshSkewSeconds) : 0,
    })),
    /** Hold a record that came from this tab's own sign-in, setTokens or restore. */
    holdOwnSignIn: assign(({ context }, params: { record: SessionRecord; now: number }) =>
      holding(stampSignIn(params.record, context, params.now), context),
    ),
    /** Hold a record from another tab or from this tab's refresh. */
    hold: assign(({ context }, params: { record: SessionRecord }) => holding(params.record, context)),
    /** Keep a fresher session while a sign-in runs: it is where a failed sign-in lands. */
    holdAsFallback: assign((_, params: { record: SessionRecord }) => ({
      record: params.record,
      basis: refOf(params.record),
      expired: null,
    })),
    scheduleCheck: assign(({ context }) => ({
      checkAt: context.record ? nextCheckAt(context.record, context.refreshSkewSeconds) : 0,
    })),
    /** The token ran out with no way to refresh: keep only the replayable event. */
    expireRecord: assign(({ context }, params: { now: number; reason: SessionExpiredReason }) => ({
      // After a network failure the refresh credential is kept for a retry; otherwise it is dead.
      record: params.reason === 'refresh_failed' ? context.record : null,
      expired: context.record ? expiredEvent(context.record, params.now, params.reason) : context.expired,
      refreshAttempt: 0,
    })),
    takeRemoteExpiry: assign((_, params: { expired: SessionExpiredEvent }) => ({
      record: null,
      expired: params.expired,
    })),
    /** Sign-out here or in another tab: nothing held, and only a newer sign-in comes back. */
    forgetSession: assign(({ context }, params: { session: SessionRef | null }) => ({
      record: null,
      expired: null,
      pendingRedirect: null,
      refreshAttempt: 0,
      signedOut: laterSignOut(context.signedOut, params.session),
    })),
    noteSignOut: assign(({ context }, params: { session: SessionRef | null }) => ({
      signedOut: laterSignOut(context.signedOut, params.session),
    })),
    clearRecord: assign({ record: null, pendingRedirect: null }),
    clearPending: assign({ pendingRedirect: null }),
    startRedirect: assign((_, params: { outcome: SignInOutcome }) => ({
      pendingRedirect: params.outcome.kind === 'redirect' ? params.outcome.pendingRedirect : null,
    })),
    clearExpired: assign({ expired: null }),
    /**
     * Another tab (or this tab's sign-out) ended the session named: this tab stops holding its key
     * without deleting it (the tab that ended it deletes it, after a revocation that may need it).
     */
    forgetRecordKey: assign(({ context }, params: { session: SessionRef | null }) => ({
      // Only the tab that ends a session deletes its key; a session replaced by a newer sign-in
      // (whoever learns it) is released as usual.
      heldKeys:
        params.session !== null && params.session.id === context.record?.session.id
          ? context.heldKeys.filter((k) => k !== context.record?.keyId)
          : context.heldKeys,
    })),
    /** After `deleteKeys` took the orphans: hold exactly the keys the context references. */
    holdReferencedKeys: assign(({ context }) => ({ heldKeys: referencedKeys(context) })),
    startAttempt: assign((_, params: { attemptId: string }) => ({ attempt: params.attemptId })),
    /** The running attempt (if any) ends without an outcome: its caller sees it replaced or cancelled. */
    dropAttempt: assign({ attempt: null }),
    settleAttempt: emit(({ context }) => ({
      type: 'signIn.settled' as const,
      attemptId: context.attempt ?? '',
      session: (context.record as SessionRecord).session,
    })),
    failAttempt: emit(({ context }, params: { error: SessionError }) => ({
      type: 'signIn.failed' as const,
      attemptId: context.attempt ?? '',
      error: params.error,
    })),
    refuseCallback: emit((_, params: { attemptId: string }) => ({
      type: 'signIn.failed' as const,
      attemptId: params.attemptId,
      error: new SessionError(
        'REDIRECT_STATE_MISMATCH',
        'The callback does not belong to the redirect sign-in this page started (unknown, late or replayed)',
      ),
    })),
    settleRefresh: emit(({ context }) => ({
      type: 'refresh.settled' as const,
      accessToken: context.record?.session.accessToken ?? '',
    })),
    failRefresh: emit((_, params: { error: SessionError; final: boolean }) => ({
      type: 'refresh.failed' as const,
      error: params.error,
      final: params.final,
    })),
    /** Retry when the held record's refresh floor has passed. */
    retryAtFloor: assign(({ context }) => ({
      retryAt: context.record ? nextCheckAt(context.record, context.refreshSkewSeconds) : 0,
    })),
    scheduleRetry: assign(({ context }, params: { now: number; jitter: number }) => ({
      refreshAttempt: context.refreshAttempt + 1,
      retryAt: retryAt(
        context.refreshAttempt + 1,
        params.now,
        params.jitter,
        (context.record?.session.expiresAt ?? 0) * 1000,
      ),
    })),
  },
  guards: {
    hasRestoredState: ({ context }) => context.restored !== undefined,
    hasPendingRedirect: ({ context }) =>
      context.pendingRedirect !== null && context.pendingRedirect.expiresAt > context.restoredAt,
    hasValidRecord: ({ context }) =>
      context.record !== null && !isTokenExpired(context.record, context.restoredAt),
    hasRecord: ({ context }) => context.record !== null,

    hasPendingRedirectAtAll: ({ context }) => context.pendingRedirect !== null,
    /** A session whose access token can be used at the time of the outcome. */
    isUsableSession: (_, params: { outcome: SignInOutcome | RedirectOutcome }) =>
      params.outcome.kind === 'session' && !isTokenExpired(params.outcome.record, params.outcome.now),
    hasExpiredEvent: ({ context }) => context.expired !== null,
    canRefresh: ({ context }) => context.record?.refreshable === true,
    /** An explicit refresh, unless a short-lived streak's floor has not passed yet. */
    mayRefreshNow: ({ context }, params: { now: number }) =>
      context.record?.refreshable === true &&
      params.now >= context.record.obtainedAt + refreshFloorMs(context.record.shortLivedStreak ?? 0),
    /** On CHECK: a refreshable session at or past its refresh time. */
    refreshDueNow: ({ context }, params: { now: number }) =>
      context.record?.refreshable === true && params.now >= context.checkAt,
    /** On CHECK: a session that cannot refresh and has run out. */
    expiredNow: ({ context }, params: { now: number }) =>
      context.record !== null && !context.record.refreshable && isTokenExpired(context.record, params.now),
    isRedirect: (_, params: { outcome: SignInOutcome }) => params.outcome.kind === 'redirect',
    isSession: (_, params: { outcome: SignInOutcome | RedirectOutcome }) => params.outcome.kind === 'session',
    landsIn: ({ context }, params: { now: number; state: FailureLanding }) =>
      failureLanding(context, params.now) === params.state,
    refreshSucceeded: ({ context }, params: { outcome: RefreshOutcome }) =>
      params.outcome.ok && isFresher(params.outcome.record, context.record),
    /** A fresher token that is usable now (not dead on arrival). */
    refreshedUsable: ({ context }, params: { outcome: RefreshOutcome }) =>
      params.outcome.ok &&
      isFresher(params.outcome.record, context.record) &&
      !isTokenExpired(params.outcome.record, params.outcome.now),
    refreshStale: (_, params: { outcome: RefreshOutcome }) => params.outcome.ok,
    /**
     * The server's refusal, or an answer tessera must refuse (another subject, a Bearer token where
     * DPoP was asked): the refresh token was spent either way, so retrying would be reuse.
     */
    isRejection: (_, params: { outcome: RefreshOutcome }) =>
      !params.outcome.ok &&
      (params.outcome.error.code === 'SESSION_EXPIRED' || params.outcome.error.code === 'INVALID_RESPONSE'),
    isTransientWhileValid: ({ context }, params: { outcome: RefreshOutcome }) =>
      !params.outcome.ok && context.record !== null && !isTokenExpired(context.record, params.outcome.now),
    /** A session from another tab: fresher than what this tab holds, and newer than its last sign-out. */
    remoteIsFresher: ({ context }, params: { record: SessionRecord }) =>
      isFresher(params.record, context.record) && isAfterSignOut(params.record, context.signedOut),
    /** As `remoteIsFresher`, with a token that is usable now. */
    remoteIsFresherAndUsable: ({ context }, params: { record: SessionRecord; now: number }) =>
      isFresher(params.record, context.record) &&
      isAfterSignOut(params.record, context.signedOut) &&
      !isTokenExpired(params.record, params.now),
    /** A sign-out elsewhere of the session this tab holds (or of a newer one), or of its expired one. */
    signOutConcernsHeld: ({ context }, params: { session: SessionRef | null }) => {
      const ended = params.session
      if (ended === null) return false
      if (context.record) return compareSignIns(ended, context.record) >= 0
      return context.expired !== null && context.expired.session.id === ended.id
    },
    /** An expiry elsewhere of exactly the session this tab holds, at its generation or later. */
    /** A displaced key is this tab's to delete only when it neither holds nor references it. */
    keyIsNobodysHere: ({ context }, params: { keyId: string }) =>
      !context.heldKeys.includes(params.keyId) && !referencedKeys(context).includes(params.keyId),
    expiryConcernsHeld: ({ context }, params: { session: SessionRef }) =>
      context.record !== null &&
      context.record.session.id === params.session.id &&
      params.session.generation >= context.record.generation,
    /** The callback belongs to the pending redirect: its method, its state. */
    callbackMatchesPending: ({ context }, params: { state: string | null; methodId: string | undefined }) => {
      const pending = context.pendingRedirect
      if (pending === null) return false
      if (params.methodId !== undefined && params.methodId !== pending.methodId) return false
      return pending.state === undefined || pending.state === params.state
    },
  },
})

/** Narrowing helper for actor outcome events in transition params. */
export const outputOf = <T>(event: unknown): T => (event as Output<T>).output
