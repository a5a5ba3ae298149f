import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { externalToken } from '../../src/endpoints/index.js'
import { type SessionClient, SessionError, type SessionExpiredEvent } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { testClient } from '../kit/testClient.js'

/** A parent SDK that owns the tokens: it mints 300 s JWTs and can be told to fail. */
function parentSdk() {
  const state = {
    calls: 0,
    minted: 0,
    /** Outcomes for the next calls; empty means a fresh token. */
    plan: [] as Array<'network' | 'error' | 'signedOut' | 'expired' | 'hang'>,
  }
  const getAccessToken = async (): Promise<string | null> => {
    state.calls++
    const outcome = state.plan.shift()
    if (outcome === 'network') throw new TypeError('fetch failed')
    if (outcome === 'error') throw new Error('parent SDK is busy')
    if (outcome === 'signedOut') return null
    if (outcome === 'expired') throw new SessionError('SESSION_EXPIRED', 'The parent session ended')
    if (outcome === 'hang') return new Promise<never>(() => undefined)
    const now = Math.floor(Date.now() / 1000)
    return fakeJwt({ sub: 'ada', iat: now, exp: now + 300, n: ++state.minted })
  }
  return { state, getAccessToken }
}

describe('externalToken: access tokens from the app’s callback', () => {
  let client: SessionClient
  let sdk: ReturnType<typeof parentSdk>
  let expired: SessionExpiredEvent[]
  let errors: string[]
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') })
    sdk = parentSdk()
    client = testClient({
      methods: [externalToken({ getAccessToken: sdk.getAccessToken, timeoutMs: 5_000 })],
      keyStore: false,
    }).client
    expired = []
    errors = []
    client.onSessionExpired((e) => expired.push(e))
    client.errors$.subscribe((e) => errors.push(e.code))
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('signs in and refreshes by asking the callback, before expiry, on its own', async () => {
    const session = await client.signIn()
    expect(session.method).toBe('external')
    expect(sdk.state.calls).toBe(1)
    await vi.advanceTimersByTimeAsync(239_000)
    expect(sdk.state.calls).toBe(1)
    await vi.advanceTimersByTimeAsync(2_000) // the refresh window (60 s before expiry) opens
    expect(sdk.state.calls).toBe(2)
    expect(client.getSession()?.accessToken).not.toBe(session.accessToken)
    expect(await client.getAccessToken()).toBe(client.getSession()?.accessToken)
  })

  it('a thrown network error or any other rejection is retried with backoff while the token is valid', async () => {
    await client.signIn()
    sdk.state.plan.push('network', 'error')
    await vi.advanceTimersByTimeAsync(240_000) // the refresh window opens: the first ask fails
    expect(sdk.state.calls).toBe(2)
    expect(client.getStatus()).toBe('refreshing')
    await vi.advanceTimersByTimeAsync(1_000) // first retry within 0.5–1 s
    expect(sdk.state.calls).toBe(3)
    await vi.advanceTimersByTimeAsync(2_000) // second retry within 1–2 s
    expect(sdk.state.calls).toBe(4)
    expect(client.getStatus()).toBe('active')
    expect(errors).toEqual(['NETWORK', 'REFRESH_FAILED'])
    expect(expired).toEqual([])
  })

  it('a callback that hangs times out and is retried like a network failure', async () => {
    await client.signIn()
    sdk.state.plan.push('hang')
    await vi.advanceTimersByTimeAsync(241_000)
    expect(client.getStatus()).toBe('refreshing')
    await vi.advanceTimersByTimeAsync(5_000) // the bound on the callback
    expect(errors).toEqual(['TIMEOUT'])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(sdk.state.calls).toBe(3)
    expect(client.getStatus()).toBe('active')
  })

  it('SESSION_EXPIRED from the callback ends the session', async () => {
    await client.signIn()
    sdk.state.plan.push('expired')
    await expect(client.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(client.getStatus()).toBe('expired')
    expect(expired.map((e) => e.reason)).toEqual(['refresh_rejected'])
    expect(sdk.state.calls).toBe(2)
  })

  it('null from the callback (the parent signed out) ends the session too', async () => {
    await client.signIn()
    sdk.state.plan.push('signedOut')
    await expect(client.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(expired.map((e) => e.reason)).toEqual(['refresh_rejected'])
  })

  it('failures keep being retried until the token runs out, then the session expires (refresh_failed)', async () => {
    await client.signIn()
    sdk.state.plan.push(...Array(50).fill('network'))
    await vi.advanceTimersByTimeAsync(301_000) // a minute of failures from the refresh window to expiry
    expect(client.getStatus()).toBe('expired')
    expect(expired.map((e) => e.reason)).toEqual(['refresh_failed'])
    // Bounded: backoff grows to 30 s, so a minute of outage is a handful of calls, not a loop.
    expect(sdk.state.calls).toBeLessThan(12)
  })

  it('signIn fails with SIGN_IN_FAILED when the callback has no token', async () => {
    sdk.state.plan.push('signedOut')
    await expect(client.signIn()).rejects.toMatchObject({ code: 'SIGN_IN_FAILED' })
    expect(client.getStatus()).toBe('signedOut')
  })
})
