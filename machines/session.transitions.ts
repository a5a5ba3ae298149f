/** Pieces of transitions several states share: key release, outcome readers, failure landings, clock checks. */
import { SessionError } from '../src/SessionError.js'
import { type FailureLanding, orphanKeys, outputOf, shortLivedTokenError } from './session.setup.js'
import type {
  RedirectOutcome,
  RefreshOutcome,
  SessionContext,
  SessionEvent,
  SignInOutcome,
} from './session.types.js'

/** Delete the keys this tab held that nothing references any more; hold the new ones. */
export const releaseKeys = [
  {
    type: 'deleteKeys',
    params: ({ context }: { context: SessionContext }) => ({ keyIds: orphanKeys(context) }),
  },
  'holdReferencedKeys',
] as const

export type Of<T extends SessionEvent['type']> = Extract<SessionEvent, { type: T }>
export const signIn = (o: unknown) => outputOf<SignInOutcome>(o)
export const redirect = (o: unknown) => outputOf<RedirectOutcome>(o)
export const refresh = (o: unknown) => outputOf<RefreshOutcome>(o)
const failedError = (o: SignInOutcome | RedirectOutcome) =>
  o.kind === 'failed' ? o.error : new SessionError('SIGN_IN_FAILED', 'Sign-in failed')
const outcomeNow = (o: SignInOutcome | RedirectOutcome) => ('now' in o ? o.now : 0)

/**
 * Where a failed sign-in or redirect lands: back where the tab was (its session, its expired
 * event, or signed out), reporting the error and telling the attempt's caller.
 */
export function landAfterFailure(
  read: (event: unknown) => SignInOutcome | RedirectOutcome,
  first: readonly {
    type: 'startAttempt'
    params: (args: { event: unknown }) => { attemptId: string }
  }[] = [],
) {
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
      actions: [...first, 'clearPending', ...releaseKeys, 'persist', ...tell],
    },
    {
      // The token ran out meanwhile: refresh when its floor allows (at once for a healthy one).
      guard: lands('awaitRefresh'),
      target: '#session.refreshing.backoff',
      actions: [...first, 'clearPending', 'retryAtFloor', ...releaseKeys, 'persist', ...tell],
    },
    {
      guard: lands('expireNow'),
      target: '#session.expired',
      actions: [...first, 'clearPending', expire, ...releaseKeys, 'persist', ...tell],
    },
    {
      // The expired event (and a refresh credential kept after a network failure) stay as they were.
      guard: lands('expired'),
      target: '#session.expired',
      actions: [...first, 'clearPending', ...releaseKeys, 'persist', ...tell],
    },
    { target: '#session.signedOut', actions: [...first, 'clearRecord', ...releaseKeys, 'persist', ...tell] },
  ] as const
}

/** On CHECK and WAKE in `active`: refresh when due, expire when a token that cannot refresh ran out. */
export const lookAtTheClock = [
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

/** The error a refresh outcome carries. */
export function errorOf(outcome: RefreshOutcome): SessionError {
  return outcome.ok ? new SessionError('REFRESH_FAILED', 'The refresh failed') : outcome.error
}

/**
 * A callback the waiting redirect did not expect (another state, another method, a replay): the
 * redirect it interrupts is over, and the callback's caller learns why.
 */
export function mismatchedCallback(event: unknown): SignInOutcome {
  const now = (event as Of<'REDIRECT_CALLBACK'>).now
  const error = new SessionError(
    'REDIRECT_STATE_MISMATCH',
    'The callback does not belong to the redirect sign-in this page started (unknown, late or replayed)',
  )
  return { kind: 'failed', error, now }
}

/**
 * Takes the session this tab's own sign-in or redirect produced: `active` when its token is
 * usable, else (a provider answering expires_in 0) `refreshing.backoff` until the refresh floor,
 * never `active` with a dead token. The attempt's caller gets its session either way.
 */
export function takeOwnSession(read: (event: unknown) => SignInOutcome | RedirectOutcome) {
  type Args = { event: unknown }
  const outcome = ({ event }: Args) => ({ outcome: read(event) })
  const held = ({ event }: Args) => {
    const o = read(event) as Extract<SignInOutcome, { kind: 'session' }>
    return { record: o.record, now: o.now }
  }
  const taken = [
    { type: 'holdOwnSignIn' as const, params: held },
    ...releaseKeys,
    'persist',
    'broadcastSession',
    'settleAttempt',
    'dropAttempt',
  ] as const
  return [
    {
      guard: { type: 'isUsableSession' as const, params: outcome },
      target: '#session.active',
      actions: taken,
    },
    {
      guard: { type: 'isSession' as const, params: outcome },
      target: '#session.refreshing.backoff',
      actions: [
        ...taken,
        'retryAtFloor',
        {
          type: 'reportError' as const,
          params: ({ context }: { context: SessionContext }) => ({
            error: shortLivedTokenError(context.record),
          }),
        },
      ],
    },
  ] as const
}
