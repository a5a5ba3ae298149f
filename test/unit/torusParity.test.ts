// Issue 14, the client's side of Torus parity: Torus's snake_case token set through setTokens,
// synchronous getters for what a session holds, access-token and session-id storage slots, and
// requests that carry no token.
import { describe, expect, it } from 'vitest'
import { createSessionClient, memoryKeyStore, memoryStorage } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'
import { storedToken } from '../kit/storedToken.js'
import { testClient } from '../kit/testClient.js'

const SESSION_ID = `0x${'ab'.repeat(32)}`
const now = () => Math.floor(Date.now() / 1000)
const torusSet = () => ({
  session_id: SESSION_ID,
  access_token: fakeJwt({ sub: 'torus-user', iat: now(), exp: now() + 600 }),
  refresh_token: 'rt-torus-1',
  id_token: fakeJwt({ iss: 'https://idp.example', sub: 'torus-user', aud: 'app' }),
})

describe('Torus parity in the client', () => {
  it('setTokens takes Torus’s snake_case set; the getters read what the session holds, synchronously', async () => {
    const { client } = testClient({ methods: [scriptedMethod().method] })
    expect(client.getRefreshToken()).toBeNull()
    const set = torusSet()
    const session = await client.setTokens(set)
    expect(session.subject).toBe('torus-user')
    expect(client.getRefreshToken()).toBe('rt-torus-1')
    expect(client.getProviderIdToken()).toBe(set.id_token)
    expect(client.getSessionId()).toBe(SESSION_ID)
    // The provider's ID token and tessera's own ID token are different things.
    expect(await client.getIdToken()).not.toBe(set.id_token)
    await client.signOut()
    expect([client.getRefreshToken(), client.getProviderIdToken(), client.getSessionId()]).toEqual([
      null,
      null,
      null,
    ])
  })

  it('keeps the access token and the session id in storages of their own when given, and reads them back', async () => {
    const main = memoryStorage()
    const accessTokens = memoryStorage()
    const sessionIds = memoryStorage()
    const storage = { default: main, accessToken: accessTokens, sessionId: sessionIds }
    const make = () =>
      createSessionClient({ appId: 'slots', methods: [], storage, sync: false, keyStore: memoryKeyStore() })
    const first = make()
    const set = torusSet()
    await first.setTokens(set)
    expect(main.get('tessera:slots:session')).not.toContain(set.access_token)
    expect(main.get('tessera:slots:session')).not.toContain(SESSION_ID)
    expect(storedToken(accessTokens, 'tessera:slots:access_token')).toBe(set.access_token)
    expect(storedToken(sessionIds, 'tessera:slots:session_id')).toBe(SESSION_ID)
    first.destroy()

    const reloaded = make()
    expect(reloaded.getSession()?.accessToken).toBe(set.access_token)
    expect(reloaded.getSessionId()).toBe(SESSION_ID)
    await reloaded.signOut()
    expect(accessTokens.get('tessera:slots:access_token')).toBeNull()
    expect(sessionIds.get('tessera:slots:session_id')).toBeNull()
    reloaded.destroy()
  })

  it('a stored access token of another generation is not paired with the record: the session is not restored', async () => {
    const main = memoryStorage()
    const accessTokens = memoryStorage()
    const storage = { default: main, accessToken: accessTokens }
    const first = createSessionClient({
      appId: 'mix',
      methods: [],
      storage,
      sync: false,
      keyStore: memoryKeyStore(),
    })
    await first.setTokens(torusSet())
    first.destroy()
    accessTokens.set('tessera:mix:access_token', JSON.stringify({ stamp: 'someone-else:7', value: 'at-old' }))
    const reloaded = createSessionClient({
      appId: 'mix',
      methods: [],
      storage,
      sync: false,
      keyStore: memoryKeyStore(),
    })
    expect(reloaded.getSession()).toBeNull()
    reloaded.destroy()
  })

  it('fetch(…, { authenticated: false }) sends no token and never retries, even to an API origin', async () => {
    const seen: Array<string | null> = []
    const fetchSpy: typeof fetch = async (_input, init) => {
      seen.push(new Headers(init?.headers).get('authorization'))
      return new Response('no', { status: 401 })
    }
    const { client, state } = testClient({ fetch: fetchSpy, apiOrigins: ['https://api.example'] })
    await client.signIn()
    const anonymous = await client.fetch('https://api.example/public', { authenticated: false })
    expect(anonymous.status).toBe(401)
    expect(seen).toEqual([null])
    expect(state.refreshes).toBe(0)
    // The same request authenticated carries the token and is retried once after a refresh.
    await client.fetch('https://api.example/private')
    expect(seen.slice(1).every((h) => h?.startsWith('Bearer '))).toBe(true)
    expect(seen).toHaveLength(3)
    expect(state.refreshes).toBe(1)
  })
})
