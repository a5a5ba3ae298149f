// Property tests: random sequences of calls, time jumps, failures and reloads against the real
// client, checking the lifecycle's invariants after every step.
import fc from 'fast-check'
import { decodeJwt } from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AnyActorRef, InspectionEvent } from 'xstate'
import {
  createSessionClient,
  memoryStorage,
  type SessionClient,
  type StorageAdapter,
} from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'
import { holdsNoSession } from '../kit/storedToken.js'

type Command =
  | { kind: 'signIn' }
  | { kind: 'setTokens' }
  | { kind: 'refresh' }
  | { kind: 'getAccessToken' }
  | { kind: 'getSession' }
  | { kind: 'signOut' }
  | { kind: 'advance'; ms: number }
  | { kind: 'sleep'; ms: number }
  | { kind: 'fail'; outcome: 'reject' | 'network' | 'server' }
  | { kind: 'reload' }

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant<Command>({ kind: 'signIn' }), weight: 3 },
  { arbitrary: fc.constant<Command>({ kind: 'setTokens' }), weight: 1 },
  { arbitrary: fc.constant<Command>({ kind: 'refresh' }), weight: 2 },
  { arbitrary: fc.constant<Command>({ kind: 'getAccessToken' }), weight: 3 },
  { arbitrary: fc.constant<Command>({ kind: 'getSession' }), weight: 2 },
  { arbitrary: fc.constant<Command>({ kind: 'signOut' }), weight: 1 },
  {
    arbitrary: fc.integer({ min: 1, max: 400_000 }).map<Command>((ms) => ({ kind: 'advance', ms })),
    weight: 4,
  },
  {
    arbitrary: fc.integer({ min: 1, max: 3_600_000 }).map<Command>((ms) => ({ kind: 'sleep', ms })),
    weight: 2,
  },
  {
    arbitrary: fc
      .constantFrom('reject', 'network', 'server')
      .map<Command>((outcome) => ({ kind: 'fail', outcome })),
    weight: 2,
  },
  { arbitrary: fc.constant<Command>({ kind: 'reload' }), weight: 1 },
)

const APP = 'prop'

/** What storage still holds of a session: its record and tokens (a sign-out marker is not one). */
function storedSession(storage: StorageAdapter): string[] {
  const held = ['refresh_token', 'id_token'].filter((slot) => storage.get(`tessera:${APP}:${slot}`) !== null)
  return holdsNoSession(storage, `tessera:${APP}:session`) ? held : ['session', ...held]
}

function expectNotExpired(token: string | null | undefined, where: string) {
  if (!token) return
  const exp = decodeJwt(token).exp as number
  expect(Date.now(), `${where} returned an expired token`).toBeLessThan(exp * 1000)
}

describe('lifecycle properties', () => {
  beforeEach(() => {
    // setImmediate stays real: WebCrypto (session keys) settles on real macrotasks.
    vi.useFakeTimers({
      now: new Date('2026-05-01T08:00:00Z'),
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('reads never return expired tokens; sign-out leaves no session in storage; one refresh in flight; one outcome per refresh', async () => {
    // Guards against a vacuous property: the generated runs must really exercise refreshes and reads.
    const seen = { refreshes: 0, tokensRead: 0, discarded: 0, runs: 0, signIns: 0 }
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        seen.runs++
        const fixture = scriptedMethod({ lifetimeSeconds: 300 })
        const storage = memoryStorage()
        const refreshActors: AnyActorRef[] = []
        const inspect = (event: InspectionEvent) => {
          if (
            event.type === '@xstate.actor' &&
            (event.actorRef as { src?: unknown }).src === 'refreshSession'
          ) {
            refreshActors.push(event.actorRef as AnyActorRef)
          }
        }
        // Every refresh attempt the machine finishes tells its outcome once.
        let outcomes = 0
        const make = () => {
          const made = createSessionClient({
            appId: APP,
            methods: [fixture.method],
            storage,
            sync: false,
            inspect,
          })
          made.actor.on('refresh.settled', () => outcomes++)
          made.actor.on('refresh.failed', () => outcomes++)
          return made
        }
        let client: SessionClient = make()
        const settle = async () => {
          await vi.advanceTimersByTimeAsync(0)
        }
        /** Waits (bounded) for an operation, letting real macrotasks and due fake timers run. */
        const attempt = async <T>(p: Promise<T>): Promise<T | undefined> => {
          let done = false
          let value: T | undefined
          p.then(
            (v) => {
              done = true
              value = v
            },
            () => {
              done = true
            },
          )
          for (let i = 0; i < 5000 && !done; i++) await new Promise<void>((resolve) => setImmediate(resolve))
          await settle()
          return value
        }
        try {
          for (const c of commands) {
            switch (c.kind) {
              case 'signIn':
                await attempt(client.signIn())
                break
              case 'setTokens': {
                const iat = Math.floor(Date.now() / 1000)
                await attempt(client.setTokens({ accessToken: fakeJwt({ sub: 'x', iat, exp: iat + 120 }) }))
                break
              }
              case 'refresh':
                await attempt(client.refresh())
                break
              case 'getAccessToken': {
                const token = await attempt(client.getAccessToken())
                expectNotExpired(token, 'getAccessToken()')
                if (token) seen.tokensRead++
                break
              }
              case 'getSession':
                expectNotExpired(client.getSession()?.accessToken, 'getSession()')
                break
              case 'signOut':
                await client.signOut()
                expect(storedSession(storage), 'storage after signOut()').toEqual([])
                break
              case 'advance':
                await vi.advanceTimersByTimeAsync(c.ms)
                break
              case 'sleep':
                // A sleeping laptop: the clock jumps, no timer fires.
                vi.setSystemTime(Date.now() + c.ms)
                break
              case 'fail':
                fixture.state.plan.push(c.outcome)
                break
              case 'reload':
                client.destroy()
                client = make()
                await settle()
                break
            }
            expectNotExpired(client.getSession()?.accessToken, 'getSession()')
            expect(fixture.state.maxInFlight, 'refreshes in flight at once').toBeLessThanOrEqual(1)
          }
          // Let whatever is in flight finish, then every refresh actor must have ended exactly once:
          // delivered its outcome (done) or been stopped (its result discarded), never hung or thrown.
          await vi.advanceTimersByTimeAsync(60_000)
          const statuses = refreshActors.map((a) => a.getSnapshot().status as string)
          expect(
            statuses.filter((s) => s !== 'done' && s !== 'stopped'),
            'refresh actors still running or failed',
          ).toEqual([])
          expect(statuses.filter((s) => s === 'done').length, 'delivered outcomes').toBe(outcomes)
          seen.refreshes += fixture.state.refreshes
          seen.signIns += fixture.state.signIns
          seen.discarded += statuses.filter((s) => s === 'stopped').length
        } finally {
          client.destroy()
        }
      }),
      { numRuns: 100, seed: 20261124 },
    )
    expect(seen.refreshes).toBeGreaterThan(20)
    expect(seen.tokensRead).toBeGreaterThan(5)
    expect(seen.discarded).toBeGreaterThan(0)
  }, 60_000)
})
