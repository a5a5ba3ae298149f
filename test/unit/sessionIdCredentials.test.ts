import { describe, expect, it } from 'vitest'
import {
  type AuthMethod,
  type Credentials,
  createSessionClient,
  inspectionSanitizers,
  memoryStorage,
} from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { destroyedWithTest } from '../kit/testClient.js'

const SESSION_ID = `0x${'ab'.repeat(32)}`

/** A method that records the credentials each refresh is handed. */
function recordingMethod() {
  const seen: Credentials[] = []
  let n = 0
  const method: AuthMethod = {
    id: 'tokens',
    async signIn() {
      throw new Error('not used')
    },
    async refresh(credentials) {
      seen.push(credentials)
      const now = Math.floor(Date.now() / 1000)
      return {
        accessToken: fakeJwt({ sub: 'ada', iat: now, exp: now + 300, n: ++n }),
        refreshToken: `rt-${n}`,
      }
    },
  }
  return { method, seen }
}

describe('a server session id in the credentials', () => {
  it('survives storage (a page load) and refreshes, and is handed to the method', async () => {
    const storage = memoryStorage()
    const { method, seen } = recordingMethod()
    // Page loads on one storage: each reads what the last one stored.
    const make = () =>
      destroyedWithTest(
        createSessionClient({ appId: 'sid', methods: [method], storage, sync: false, keyStore: false }),
      )
    const now = Math.floor(Date.now() / 1000)
    await make().setTokens({
      accessToken: fakeJwt({ sub: 'ada', iat: now, exp: now + 300 }),
      refreshToken: 'rt-0',
      idToken: 'provider-id-token',
      sessionId: SESSION_ID,
    })
    const reloaded = make()
    await reloaded.ready()
    await reloaded.refresh()
    await reloaded.refresh()
    expect(seen.map((c) => c.sessionId)).toEqual([SESSION_ID, SESSION_ID])
    // The provider's ID token is a different thing and stays as it was.
    expect(seen.map((c) => c.idToken)).toEqual(['provider-id-token', 'provider-id-token'])
    // And through serialize/restore, the other way a session travels.
    const text = (await reloaded.serialize()) as string
    const elsewhere = make()
    await elsewhere.restore(text)
    await elsewhere.refresh()
    expect(seen.at(-1)?.sessionId).toBe(SESSION_ID)
  })

  it('is redacted from inspection like a token', () => {
    const context = { record: { credentials: { accessToken: 'at', sessionId: SESSION_ID } } }
    const clean = JSON.stringify(inspectionSanitizers.sanitizeContext(context))
    expect(clean).not.toContain(SESSION_ID)
    expect(
      JSON.stringify(inspectionSanitizers.sanitizeEvent({ params: { session_id: SESSION_ID } })),
    ).not.toContain(SESSION_ID)
  })
})
