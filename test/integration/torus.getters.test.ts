// Issue 14, "How it is proven": the getters, in the Node integration against the loopback server
// that speaks Torus's endpoint shapes (tokenEndpoints.test.ts covers them only through a scripted
// method in test/unit/torusParity.test.ts). Read synchronously, through a refresh that rotates the
// refresh token, across a page load (also with the access token and session id in slots of their
// own), and gone after logout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TokenSet, tokenEndpoints } from '../../src/endpoints/index.js'
import { createSessionClient, memoryStorage, type StorageOption } from '../../src/index.js'
import { destroyedWithTest } from '../kit/testClient.js'
import { startTorusAuthServer, type TorusAuthServer } from '../utils/torusAuthServer.js'

describe('the getters against a backend speaking Torus’s protocol', () => {
  let server: TorusAuthServer
  beforeAll(async () => {
    server = await startTorusAuthServer()
  })
  afterAll(() => server.close())

  async function login(
    sub: string,
  ): Promise<Required<Pick<TokenSet, 'session_id' | 'access_token' | 'refresh_token' | 'id_token'>>> {
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      body: JSON.stringify({ sub, data: { sub } }),
    })
    return res.json()
  }

  /** One page load over `storage`: a new method instance and a new client. */
  function page(storage: StorageOption) {
    const endpoints = tokenEndpoints({ baseURL: server.url })
    const client = destroyedWithTest(
      createSessionClient({
        appId: 'torus-getters',
        methods: [endpoints],
        storage,
        sync: false,
        keyStore: false,
      }),
    )
    return { endpoints, client }
  }

  for (const layout of ['one record', 'slots of their own'] as const) {
    it(`setTokens with the snake_case set; refresh rotates; reload; logout (${layout})`, async () => {
      const storage: StorageOption =
        layout === 'one record'
          ? memoryStorage()
          : {
              default: memoryStorage(),
              refreshToken: memoryStorage(),
              idToken: memoryStorage(),
              accessToken: memoryStorage(),
              sessionId: memoryStorage(),
            }
      const set = await login(`getters-${layout.length}`)
      const first = page(storage)
      // Torus's hand-over shape, as is: no conversion by the app.
      await first.client.setTokens(set, { method: 'tokens' })
      const sessionId = first.client.getSessionId()
      expect(sessionId?.replace(/^0x/, '').replace(/^0+/, '')).toBe(
        set.session_id.toLowerCase().replace(/^0+/, ''),
      )
      expect(first.client.getRefreshToken()).toBe(set.refresh_token)
      expect(first.client.getProviderIdToken()).toBe(set.id_token)
      expect(await first.client.getIdToken().catch(() => null)).not.toBe(set.id_token)

      // A refresh through the sessions endpoint rotates the refresh token; the id and ID token stay.
      await first.client.refresh()
      const rotated = first.client.getRefreshToken()
      expect(rotated).not.toBe(set.refresh_token)
      expect(server.isRefreshTokenAlive(rotated as string)).toBe(true)
      expect(server.isRefreshTokenAlive(set.refresh_token)).toBe(false)
      expect(first.client.getSessionId()).toBe(sessionId)
      expect(first.client.getProviderIdToken()).toBe(set.id_token)
      first.client.destroy()

      // A page load: the getters answer on the first line (synchronous storage).
      const second = page(storage)
      expect(second.client.getStatus()).toBe('active')
      expect(second.client.getRefreshToken()).toBe(rotated)
      expect(second.client.getSessionId()).toBe(sessionId)
      expect(second.client.getProviderIdToken()).toBe(set.id_token)
      const restored = await second.endpoints.authorize<{ sub: string }>(second.client)
      expect(restored?.data).toEqual({ sub: `getters-${layout.length}` })
      expect(second.client.getSessionId()).toBe(sessionId)

      const latest = second.client.getRefreshToken() as string
      await second.client.signOut()
      expect([
        second.client.getRefreshToken(),
        second.client.getProviderIdToken(),
        second.client.getSessionId(),
      ]).toEqual([null, null, null])
      for (let i = 0; i < 100 && server.isRefreshTokenAlive(latest); i++)
        await new Promise((r) => setTimeout(r, 10))
      expect(server.isRefreshTokenAlive(latest)).toBe(false)
      // And nothing comes back on the next page load.
      const third = page(storage)
      expect(third.client.getStatus()).toBe('signedOut')
      expect([
        third.client.getRefreshToken(),
        third.client.getProviderIdToken(),
        third.client.getSessionId(),
      ]).toEqual([null, null, null])
    })
  }
})
