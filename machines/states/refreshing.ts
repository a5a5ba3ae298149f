/** `refreshing`: one refresh in flight (per browser, with the coordinator); transient failures back off. */

import { SessionError } from '../../src/SessionError.js'
import { sessionSetup, shortLivedTokenError } from '../session.setup.js'
import { errorOf, refresh, releaseKeys } from '../session.transitions.js'
import type { RefreshOutcome } from '../session.types.js'
import type { SessionRecord } from '../sessionRecord.js'

export const refreshingState = sessionSetup.createStateConfig({
  tags: ['hasSession'],
  initial: 'requesting',
  states: {
    requesting: {
      invoke: {
        src: 'refreshSession',
        input: ({ context }) => ({ record: context.record as SessionRecord }),
        onDone: [
          {
            guard: { type: 'refreshedUsable', params: ({ event }) => ({ outcome: event.output }) },
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
              'settleRefresh',
            ],
          },
          {
            // A token dead on arrival (expires_in 0, a server clock far behind): keep it (its
            // refresh token is the live one) and try again after the refresh floor, which
            // doubles with each such token.
            guard: { type: 'refreshSucceeded', params: ({ event }) => ({ outcome: event.output }) },
            target: 'backoff',
            actions: [
              {
                type: 'hold',
                params: ({ event }) => ({
                  record: (refresh(event) as Extract<RefreshOutcome, { ok: true }>).record,
                }),
              },
              'retryAtFloor',
              ...releaseKeys,
              'persist',
              'broadcastSession',
              {
                type: 'reportError',
                params: ({ context }) => ({ error: shortLivedTokenError(context.record) }),
              },
              {
                type: 'failRefresh',
                params: () => ({
                  error: new SessionError('INVALID_TOKEN', 'The refreshed token had already expired'),
                  final: false,
                }),
              },
            ],
          },
          {
            // An answer not fresher than what this tab holds (it changed meanwhile): nothing new,
            // so it counts as a failed attempt and the retry decides.
            guard: { type: 'refreshStale', params: ({ event }) => ({ outcome: event.output }) },
            target: 'backoff',
            actions: [
              { type: 'scheduleRetry', params: ({ event }) => ({ now: refresh(event).now, jitter: 0.5 }) },
              {
                type: 'failRefresh',
                params: () => ({
                  error: new SessionError(
                    'REFRESH_FAILED',
                    'The refresh brought nothing newer than this tab holds',
                  ),
                  final: false,
                }),
              },
            ],
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
})
