// @vitest-environment happy-dom
// Issue 8: the page's wake-up sources (tab shown again, focus, online, pageshow) reach the
// machine as WAKE events through Environment.onWake. A session that expired while the network
// was down recovers when the page says the network is back; a tab that slept past its refresh
// time refreshes when it is shown again.
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { createSessionClient, memoryKeyStore, memoryStorage } from '../../src/index.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'

function client() {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 1, 10), toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  const scripted = scriptedMethod({ lifetimeSeconds: 300 })
  const c = createSessionClient({
    appId: 'wake',
    methods: [scripted.method],
    storage: memoryStorage(),
    keyStore: memoryKeyStore(),
    sync: false,
  })
  onTestFinished(() => {
    c.destroy()
    vi.useRealTimers()
  })
  return { client: c, state: scripted.state }
}

describe('wake-ups from the page', () => {
  it('`online` retries a session that expired while the network was down', async () => {
    const { client: c, state } = client()
    await c.signIn()
    state.plan.push(...Array<'network'>(12).fill('network'))
    await vi.advanceTimersByTimeAsync(301_000)
    expect(c.getStatus()).toBe('expired')
    state.plan.length = 0
    const before = state.refreshes
    window.dispatchEvent(new Event('online'))
    await vi.advanceTimersByTimeAsync(0)
    await vi.waitFor(() => expect(c.getStatus()).toBe('active'))
    expect(state.refreshes).toBe(before + 1)
  })

  it('a tab shown again after sleeping past its refresh time refreshes then, not at the next read', async () => {
    const { client: c, state } = client()
    await c.signIn()
    // The laptop sleeps: the clock jumps, no timer fires.
    vi.setSystemTime(Date.now() + 280_000)
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' })
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(0)
    await vi.waitFor(() => expect(state.refreshes).toBe(1))
  })

  it('focus and pageshow count as wake-ups too', async () => {
    const { client: c, state } = client()
    await c.signIn()
    vi.setSystemTime(Date.now() + 280_000)
    window.dispatchEvent(new Event('focus'))
    await vi.advanceTimersByTimeAsync(0)
    await vi.waitFor(() => expect(state.refreshes).toBe(1))
    vi.setSystemTime(Date.now() + 280_000)
    window.dispatchEvent(new Event('pageshow'))
    await vi.advanceTimersByTimeAsync(0)
    await vi.waitFor(() => expect(state.refreshes).toBe(2))
  })
})
