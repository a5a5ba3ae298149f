import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import { memoryStorage, SessionError } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { holdsNoSession } from '../kit/storedToken.js'
import { testClient } from '../kit/testClient.js'

describe('client basics', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('signs in, exposes the session synchronously, refreshes before expiry and signs out', async () => {
    const storage = memoryStorage()
    const { client, state } = testClient({ appId: 'app', storage })
    expect(client.getStatus()).toBe('signedOut')
    const session = await client.signIn()
    expect(session.subject).toBe('user-1')
    expect(client.getSession()?.accessToken).toBe(session.accessToken)
    expect(client.getStatus()).toBe('active')
    await vi.advanceTimersByTimeAsync(241_000)
    expect(state.refreshes).toBe(1)
    expect(client.getSession()?.accessToken).not.toBe(session.accessToken)
    await client.signOut()
    expect(client.getStatus()).toBe('signedOut')
    // Storage keeps only which session ended (no record, no token), so a late message cannot bring it back.
    expect(holdsNoSession(storage, 'tessera:app:session')).toBe(true)
    expect(storage.get('tessera:app:session')).not.toContain(session.accessToken)
    expect(storage.get('tessera:app:refresh_token')).toBeNull()
  })

  it('rejects a token with no expiry with INVALID_TOKEN', async () => {
    const { client } = testClient({ methods: [] })
    await expect(client.setTokens({ accessToken: 'opaque', subject: 'u' })).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    })
    await expect(client.setTokens({ accessToken: fakeJwt({ sub: 'u' }) })).rejects.toBeInstanceOf(
      SessionError,
    )
    const s = await client.setTokens({
      accessToken: 'opaque',
      subject: 'u',
      expiresAt: Date.now() / 1000 + 100,
    })
    expect(s.expiresAt).toBe(Math.floor(Date.now() / 1000 + 100))
  })
})

describe('sign-in while signed in', () => {
  it('a failed sign-in leaves the existing session active and stored', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const storage = memoryStorage()
    const { client } = testClient({ appId: 'again', storage })
    const session = await client.signIn()
    await expect(client.signIn({ fail: true })).rejects.toMatchObject({ code: 'SIGN_IN_FAILED' })
    expect(client.getStatus()).toBe('active')
    expect(client.getSession()?.accessToken).toBe(session.accessToken)
    expect(storage.get('tessera:again:session')).toContain(session.id)
  })
})
