// Issue 8's reproduced defects, each as two tabs (or one flaky network) would meet it. Every test
// here failed on the code before the machine became the one authority.
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { refOf } from '../../machines/sessionRecord.js'
import type { AuthMethod, Credentials, SessionExpiredEvent } from '../../src/index.js'
import { SessionError } from '../../src/index.js'
import { crossTabRefreshCoordinator } from '../../src/sync/crossTabRefreshCoordinator.js'
import { simulatedEnvironment } from '../../src/testing/index.js'
import { memoryLockManager } from '../kit/lockManager.js'
import { simulatedOrigin } from '../kit/origin.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'
import { testClient } from '../kit/testClient.js'
import { tokenService } from '../kit/tokenService.js'

describe('two tabs and a flaky network (issue 8)', () => {
  it('crossing sign-ins converge on one session, each signIn() resolves with its own, and no live key is deleted', async () => {
    const origin = simulatedOrigin()
    const a = origin.tab()
    const b = origin.tab()
    const [alice, bob] = await Promise.all([a.signIn({ subject: 'alice' }), b.signIn({ subject: 'bob' })])
    expect(alice.subject).toBe('alice')
    expect(bob.subject).toBe('bob')

    origin.bus.deliverAll()
    await origin.env.settle()
    const held = a.getSession()
    expect(held).not.toBeNull()
    expect(b.getSession()?.id).toBe(held?.id)
    // The session both hold still has its key: both tabs can sign with it.
    const keyId = a.actor.getSnapshot().context.record?.keyId as string
    expect(origin.keys.live()).toEqual([keyId])
    await expect(a.getIdToken()).resolves.toMatch(/^ey/)
    await expect(b.getIdToken()).resolves.toMatch(/^ey/)
  })

  it('a tab that reloads before it hears its sign-in lost leaves no key behind (npm run soak found it)', async () => {
    const origin = simulatedOrigin()
    const a = origin.tab()
    const b = origin.tab()
    await a.signIn({ subject: 'ada' })
    await origin.env.advance(10)
    await b.signIn({ subject: 'ada' }) // later: fresher, so its record replaces a's in storage
    const kept = b.actor.getSnapshot().context.record?.keyId as string
    // Tab a reloads before any message reaches it: its old self never learns its session lost.
    a.destroy()
    const reloaded = origin.tab()
    origin.bus.deliverAll()
    await origin.env.settle()
    expect(reloaded.actor.getSnapshot().context.record?.keyId).toBe(kept)
    expect(origin.keys.live()).toEqual([kept])
    await expect(reloaded.getIdToken()).resolves.toMatch(/^ey/)
  })

  it('a pending signIn() resolves with the session its own attempt created, not another tab’s', async () => {
    const origin = simulatedOrigin()
    const a = origin.tab()
    const b = origin.tab()
    b.state.signInDelayMs = 1_000
    const slow = b.signIn({ subject: 'bob' })
    const alice = await a.signIn({ subject: 'alice' })
    // Alice's broadcast reaches b while bob's sign-in is still running.
    origin.bus.deliverAll()
    await origin.env.settle()
    expect(b.getStatus()).toBe('authenticating')
    await origin.env.advance(1_000)
    const bob = await slow
    expect(alice.subject).toBe('alice')
    expect(bob.subject).toBe('bob')
    origin.bus.deliverAll()
    await origin.env.settle()
    expect(a.getSession()?.subject).toBe('bob')
    expect(b.getSession()?.subject).toBe('bob')
  })

  it('a sign-out crossing another tab’s refresh broadcast stays signed out, in both tabs', async () => {
    const origin = simulatedOrigin()
    const a = origin.tab()
    const b = origin.tab()
    await a.signIn({ subject: 'ada' })
    origin.bus.deliverAll()
    await origin.env.settle()
    expect(b.getSession()?.subject).toBe('ada')

    await b.refresh() // its broadcast is now on the way to a
    await a.signOut() // and a's sign-out on the way to b
    expect(origin.bus.pending.map((p) => p.message.type)).toContain('session')
    origin.bus.deliverAll()
    await origin.env.settle()
    expect(a.getStatus()).toBe('signedOut')
    expect(b.getStatus()).toBe('signedOut')
    // A reload does not bring it back either.
    const reloaded = origin.tab()
    expect(reloaded.getStatus()).toBe('signedOut')
  })

  it('an old tab’s expiry message about an older session leaves a newer session and its key alone', async () => {
    const origin = simulatedOrigin()
    const a = origin.tab()
    const first = await a.signIn({ subject: 'ada' })
    const firstRecord = a.actor.getSnapshot().context.record
    const second = await a.signIn({ subject: 'ada' })
    expect(second.id).not.toBe(first.id)
    const keyId = a.actor.getSnapshot().context.record?.keyId as string
    const stale: SessionExpiredEvent = {
      session: first,
      expiredAt: Math.floor(origin.env.now() / 1000),
      reason: 'refresh_rejected',
    }
    origin.bus.publish({
      type: 'expired',
      expired: stale,
      session: refOf(firstRecord as NonNullable<typeof firstRecord>),
      from: 'an-old-tab',
    })
    origin.bus.deliverAll()
    await origin.env.settle()
    expect(a.getStatus()).toBe('active')
    expect(a.getSession()?.id).toBe(second.id)
    expect(origin.keys.live()).toContain(keyId)
  })

  it('a failed sign-in after a network expiry returns to expired, never through active, and keeps the expired event', async () => {
    const env = simulatedEnvironment()
    const { client, state } = testClient({ environment: env })
    await client.signIn()
    const seen: string[] = []
    client.authState$.subscribe(({ status }) => seen.push(status))
    state.plan.push('network', 'network', 'network', 'network', 'network', 'network', 'network', 'network')
    await env.advance(301_000) // past expiry; every retry fails for network reasons
    expect(client.getStatus()).toBe('expired')
    seen.length = 0

    await expect(client.signIn({ fail: true })).rejects.toMatchObject({ code: 'SIGN_IN_FAILED' })
    expect(seen).toEqual(['authenticating', 'expired'])
    const replayed: SessionExpiredEvent[] = []
    client.sessionExpired$.subscribe((e) => replayed.push(e))
    expect(replayed.map((e) => e.reason)).toEqual(['refresh_failed'])
  })

  it('a refresh that times out is never abandoned: a late answer is committed and the old token is not reused', async () => {
    // Fake global timers, so the same test drives the code before the Environment existed too.
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 1, 10), toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const service = tokenService({ now: () => Date.now(), lifetimeSeconds: 300 })
    const base = scriptedMethod({ service })
    let slow = true
    // The server rotates at once, but its answer takes longer than the client's timeout, and it
    // comes back however the client feels about it (a response already on the wire).
    const method: AuthMethod<undefined> = {
      id: 'slow',
      signIn: (params, ctx) => base.method.signIn(params, ctx),
      async refresh(credentials: Credentials) {
        const issued = service.refresh(credentials.refreshToken as string)
        if (slow) await new Promise<void>((resolve) => setTimeout(resolve, 20_000))
        return { accessToken: issued.accessToken, refreshToken: issued.refreshToken }
      },
    }
    // The browser's coordinator: a Web Lock and a 15 s bound on the request.
    const locks = memoryLockManager()
    const refreshCoordinator = crossTabRefreshCoordinator({ prefix: 'tessera', appId: 'slow', locks })
    const { client } = testClient({ methods: [method], refreshCoordinator })
    await client.signIn()
    const refreshed = client.refresh().catch((error: unknown) => error)
    // The request is out (the coordinator may load a module first, in real time).
    await vi.waitFor(() => expect(service.counters.refreshCalls).toBe(1))
    await vi.advanceTimersByTimeAsync(20_000)
    slow = false
    expect(await refreshed).toMatch(/^ey/)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(client.getStatus()).toBe('active')
    expect(service.counters.reuseDetections).toBe(0)
    // And the next refresh uses the rotated token: still no reuse.
    await expect(client.refresh()).resolves.toMatch(/^ey/)
    expect(service.counters.reuseDetections).toBe(0)
  })

  it('a retry after a timed-out refresh that was aborted waits for the request to settle first', async () => {
    const env = simulatedEnvironment()
    const { client, state, service } = testClient({ environment: env })
    await client.signIn()
    state.plan.push('hang')
    const refreshed = client.refresh().catch((error: unknown) => error)
    await env.advance(15_000) // the coordinator's timeout aborts the hung request
    expect(await refreshed).toMatchObject({ code: 'TIMEOUT' })
    expect(state.inFlight).toBe(0)
    await env.advance(60_000)
    expect(client.getStatus()).toBe('active')
    expect(service.counters.reuseDetections).toBe(0)
  })

  it('two tokens of one session obtained in the same second, arriving out of order, leave the newer one in place', async () => {
    const origin = simulatedOrigin()
    const a = origin.tab()
    const b = origin.tab()
    await a.signIn()
    origin.bus.deliverAll()
    await origin.env.settle()
    // Two refreshes inside one second; b hears of the second first.
    await a.refresh()
    const newest = await a.refresh()
    const toB = origin.bus.pending.filter((p) => p.message.type === 'session' && p.to === 1)
    expect(toB).toHaveLength(2)
    origin.bus.deliver(origin.bus.pending.indexOf(toB[1] as (typeof toB)[number]))
    origin.bus.deliverAll()
    await origin.env.settle()
    expect(b.getSession()?.accessToken).toBe(newest)
  })

  it('a message that names no session cannot sign a tab out', async () => {
    const origin = simulatedOrigin()
    const a = origin.tab()
    await a.signIn()
    origin.bus.publish({ type: 'signedOut', session: null, from: 'a-tab-that-held-nothing' })
    origin.bus.deliverAll()
    expect(a.getStatus()).toBe('active')
  })

  it('retries a refresh that failed in transit, but ends the session on an answer it must refuse (its token is spent)', async () => {
    const env = simulatedEnvironment()
    const { client, state } = testClient({ environment: env })
    await client.signIn()
    state.plan.push('server')
    await expect(client.refresh()).rejects.toMatchObject({ code: 'NETWORK' })
    expect(client.getStatus()).toBe('refreshing')
    await env.advance(2_000)
    expect(client.getStatus()).toBe('active')

    const hostile = scriptedMethod()
    hostile.method.refresh = async () => {
      throw new SessionError('INVALID_RESPONSE', 'The refresh answered for another subject')
    }
    const other = testClient({ environment: env, methods: [hostile.method] }).client
    await other.signIn()
    await expect(other.refresh()).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      cause: { code: 'INVALID_RESPONSE' },
    })
    expect(other.getStatus()).toBe('expired')
  })
})
