// The adapters are typed against AuthStateSource; a SessionClient must keep fitting it, with the
// snapshot identity useSyncExternalStore relies on.
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { AuthStateSource } from '../../../src/adapters/AuthStateSource.js'
import type { AuthState, SessionClient } from '../../../src/index.js'
import { accessToken, realClient } from './authStateSources.js'

describe('AuthStateSource', () => {
  it('is satisfied by SessionClient', () => {
    expectTypeOf<SessionClient>().toExtend<AuthStateSource>()
  })

  it('gets from a real client one object per state, the same one authState$ emits', async () => {
    const client = realClient()
    const emitted: AuthState[] = []
    const subscription = client.authState$.subscribe((state) => emitted.push(state))
    const before = client.getAuthState()
    expect(client.getAuthState()).toBe(before)
    expect(emitted).toEqual([before])
    expect(emitted[0]).toBe(before)

    await client.setTokens({ accessToken: accessToken('ada') })
    const after = client.getAuthState()
    expect(after).not.toBe(before)
    expect(after.status).toBe('active')
    expect(client.getAuthState()).toBe(after)
    expect(emitted.at(-1)).toBe(after)
    subscription.unsubscribe()
  })
})
