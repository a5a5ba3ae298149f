import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_TIMER_DELAY_MS, tokenRefreshDueAt } from '../../machines/refreshSchedule.js'
import { testClient } from '../kit/testClient.js'

describe('long-running sessions', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-06-01T00:00:00Z') })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('a simulated week of 5-minute tokens makes exactly the expected refreshes and leaves no timer', async () => {
    const { client, state } = testClient({}, { lifetimeSeconds: 300 })
    await client.signIn()
    const week = 7 * 24 * 3600_000
    // Default skew 60 s: each 300 s token refreshes 240 s after it was issued.
    const interval = tokenRefreshDueAt({ issuedAt: 0, expiresAt: 300 }, 60)
    expect(interval).toBe(240_000)
    const expected = Math.floor(week / interval)
    for (let hour = 0; hour < 7 * 24; hour++) await vi.advanceTimersByTimeAsync(3600_000)
    expect(state.refreshes).toBe(expected)
    expect(state.maxInFlight).toBe(1)
    expect(client.getStatus()).toBe('active')
    expect(client.isExpired).toBe(false)
    // One timer while active (the refresh timer); none after destroy.
    expect(vi.getTimerCount()).toBe(1)
    client.destroy()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a 40-day token waits past the setTimeout limit without looping, then refreshes once', async () => {
    const { client, state } = testClient({}, { lifetimeSeconds: 40 * 24 * 3600 })
    await client.signIn()
    const due = 40 * 24 * 3600_000 - 60_000
    expect(due).toBeGreaterThan(MAX_TIMER_DELAY_MS)
    await vi.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS + 1000) // the clamped timer fires and re-arms
    expect(state.refreshes).toBe(0)
    await vi.advanceTimersByTimeAsync(due - (MAX_TIMER_DELAY_MS + 1000) - 1000)
    expect(state.refreshes).toBe(0)
    await vi.advanceTimersByTimeAsync(2000)
    expect(state.refreshes).toBe(1)
    expect(vi.getTimerCount()).toBe(1)
  })

  it('a token shorter than the skew refreshes halfway through its life, not in a loop', async () => {
    const { client, state } = testClient({}, { lifetimeSeconds: 30 })
    await client.signIn()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(state.refreshes).toBe(4) // at 15, 30, 45 and 60 s
  })
})
