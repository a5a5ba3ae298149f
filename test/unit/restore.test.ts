import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSessionClient, memoryStorage } from '../../src/index.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'
import { storedToken } from '../kit/storedToken.js'
import { destroyedWithTest } from '../kit/testClient.js'

describe('restoring a stored session', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('an expired stored token is refreshed on load; a network failure then never wipes the session', async () => {
    const storage = memoryStorage()
    const fixture = scriptedMethod()
    const make = () =>
      destroyedWithTest(createSessionClient({ appId: 'rs', methods: [fixture.method], storage, sync: false }))
    const first = make()
    await first.signIn()
    first.destroy()

    // The app comes back a day later, offline.
    vi.setSystemTime(Date.now() + 24 * 3600_000)
    fixture.state.plan.push(...Array(10).fill('network'))
    const offline = make()
    expect(offline.getStatus()).toBe('refreshing')
    expect(offline.getSession()).toBeNull()
    await vi.advanceTimersByTimeAsync(0)
    expect(offline.getStatus()).toBe('expired')
    expect(storedToken(storage, 'tessera:rs:refresh_token')).toMatch(/^rt-/)
    offline.destroy()

    // Back online: the next load refreshes with the kept refresh token.
    fixture.state.plan.length = 0
    const online = make()
    await vi.advanceTimersByTimeAsync(0)
    expect(online.getStatus()).toBe('active')
    expect(online.getSession()?.subject).toBe('user-1')
  })

  it('a rejected refresh on load ends in expired and keeps no credential', async () => {
    const storage = memoryStorage()
    const fixture = scriptedMethod()
    const first = destroyedWithTest(
      createSessionClient({ appId: 'rs2', methods: [fixture.method], storage, sync: false }),
    )
    await first.signIn()
    first.destroy()
    vi.setSystemTime(Date.now() + 24 * 3600_000)
    fixture.state.plan.push('reject')
    const next = destroyedWithTest(
      createSessionClient({ appId: 'rs2', methods: [fixture.method], storage, sync: false }),
    )
    await vi.advanceTimersByTimeAsync(0)
    expect(next.getStatus()).toBe('expired')
    expect(storage.get('tessera:rs2:refresh_token')).toBeNull()
    let reason: string | undefined
    next.onSessionExpired((e) => {
      reason = e.reason
    })
    expect(reason).toBe('refresh_rejected')
  })
})
