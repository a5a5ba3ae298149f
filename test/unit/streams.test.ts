import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  type AuthState,
  createSessionClient,
  memoryStorage,
  type SessionError,
  type SessionExpiredEvent,
} from '../../src/index.js'
import { destroyedWithTest, testClient } from '../kit/testClient.js'

describe('streams and callbacks', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('session$ and authState$ emit the current value first, then every change', async () => {
    const { client } = testClient()
    const states: AuthState[] = []
    const sessions: Array<string | null> = []
    client.authState$.subscribe((s) => states.push(s))
    client.session$.subscribe((s) => sessions.push(s?.subject ?? null))
    expect(states).toEqual([{ status: 'signedOut', session: null }])
    await client.signIn()
    await client.signOut()
    expect(states.map((s) => s.status)).toEqual(['signedOut', 'authenticating', 'active', 'signedOut'])
    expect(sessions).toEqual([null, 'user-1', null])
  })

  it('getAuthState keeps its identity until status or session changes', async () => {
    const { client } = testClient()
    await client.signIn()
    const a = client.getAuthState()
    expect(client.getAuthState()).toBe(a)
    await client.refresh()
    expect(client.getAuthState()).not.toBe(a)
  })

  it('replays the latest expired event to late subscribers, across a reload, until sign-in or sign-out', async () => {
    const storage = memoryStorage()
    const { client, method, state } = testClient({ appId: 'streams', storage })
    await client.signIn()
    state.plan.push('reject')
    await vi.advanceTimersByTimeAsync(241_000)
    expect(client.getStatus()).toBe('expired')

    const late: SessionExpiredEvent[] = []
    client.onSessionExpired((e) => late.push(e))
    expect(late).toHaveLength(1)
    expect(late[0]?.reason).toBe('refresh_rejected')
    expect(late[0]?.session.subject).toBe('user-1')

    // A reload: a new client on the same storage replays it too.
    client.destroy()
    const reloaded = destroyedWithTest(
      createSessionClient({ appId: 'streams', methods: [method], storage, sync: false }),
    )
    expect(reloaded.getStatus()).toBe('expired')
    const afterReload: SessionExpiredEvent[] = []
    reloaded.sessionExpired$.subscribe((e) => afterReload.push(e))
    expect(afterReload).toHaveLength(1)

    await reloaded.signIn()
    const afterSignIn: SessionExpiredEvent[] = []
    reloaded.onSessionExpired((e) => afterSignIn.push(e))
    expect(afterSignIn).toHaveLength(0)
  })

  it('sign-out clears the replay', async () => {
    const { client, state } = testClient()
    await client.signIn()
    state.plan.push('reject')
    await vi.advanceTimersByTimeAsync(241_000)
    await client.signOut()
    const events: SessionExpiredEvent[] = []
    client.onSessionExpired((e) => events.push(e))
    expect(events).toHaveLength(0)
  })

  it('a throwing listener harms no other listener and no operation; its error goes to errors$', async () => {
    const { client } = testClient()
    const errors: SessionError[] = []
    client.errors$.subscribe((e) => errors.push(e))
    const seen: Array<string | null> = []
    client.onAuthStateChange(() => {
      throw new Error('app bug')
    })
    client.onAuthStateChange((session) => seen.push(session?.subject ?? null))
    const session = await client.signIn()
    expect(session.subject).toBe('user-1')
    // signedOut, authenticating, active
    expect(seen).toEqual([null, null, 'user-1'])
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.every((e) => e.code === 'LISTENER_ERROR')).toBe(true)
  })

  it('onAuthStateChange calls at once and unsubscribes', async () => {
    const { client } = testClient()
    const calls: string[] = []
    const off = client.onAuthStateChange((_, state) => calls.push(state.status))
    expect(calls).toEqual(['signedOut'])
    off()
    await client.signIn()
    expect(calls).toEqual(['signedOut'])
  })
})
