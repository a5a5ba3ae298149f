import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSessionClient, memoryStorage, type SessionClient } from '../../src/index.js'
import { scriptedMethod } from '../utils/tokens.js'

describe('serialize() / restore()', () => {
  const clients: SessionClient[] = []
  const make = () => {
    const c = createSessionClient({
      appId: 'ser',
      methods: [scriptedMethod().method],
      storage: memoryStorage(),
      sync: false,
    })
    clients.push(c)
    return c
  }
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') })
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy()
    vi.useRealTimers()
  })

  it('round-trips a session into another client, refresh token included', async () => {
    const a = make()
    const session = await a.signIn()
    const text = a.serialize()
    expect(text).toMatch(/^tessera\.v1\./)
    const b = make()
    const restored = await b.restore(text as string)
    expect(restored).toEqual(session)
    expect(b.getSession()?.accessToken).toBe(session.accessToken)
    expect(b.serialize()).toBe(text)
  })

  it('returns null when signed out', () => {
    expect(make().serialize()).toBeNull()
  })

  it('rejects tampered, truncated, foreign or future strings with INVALID_SESSION', async () => {
    const a = make()
    await a.signIn()
    const text = a.serialize() as string
    const body = text.split('.')[2] as string
    const flipped = body.slice(0, 10) + (body[10] === 'A' ? 'B' : 'A') + body.slice(11)
    const b = make()
    for (const bad of [
      text.replace(body, flipped),
      text.slice(0, -3),
      `tessera.v2.${text.slice('tessera.v1.'.length)}`,
      'hello',
      '',
      `tessera.v1.${Buffer.from('{"session":1}').toString('base64url')}.x`,
    ]) {
      await expect(b.restore(bad)).rejects.toMatchObject({ code: 'INVALID_SESSION' })
    }
    expect(b.getStatus()).toBe('signedOut')
  })

  it('a restored session that has already expired reports isExpired', async () => {
    const noRefresh = createSessionClient({
      appId: 'ser2',
      methods: [],
      storage: memoryStorage(),
      sync: false,
    })
    clients.push(noRefresh)
    await noRefresh.setTokens({
      accessToken: 'opaque',
      subject: 'u',
      expiresAt: Math.floor(Date.now() / 1000) + 60,
    })
    const text = noRefresh.serialize() as string
    vi.setSystemTime(Date.now() + 120_000)
    const later = createSessionClient({ appId: 'ser3', methods: [], storage: memoryStorage(), sync: false })
    clients.push(later)
    await later.restore(text)
    expect(later.isExpired).toBe(true)
    expect(later.expiresInSecs).toBe(0)
    expect(later.getSession()).toBeNull()
    expect(later.getStatus()).toBe('expired')
  })
})
