import { AuthSessionManager, MemoryStorage } from '@toruslabs/session-manager'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { credentialsFromTokenSet, type TokenSet, tokenEndpoints } from '../../src/endpoints/index.js'
import { createSessionClient, type Environment, memoryStorage, type StorageAdapter } from '../../src/index.js'
import { storedToken } from '../kit/storedToken.js'
import { destroyedWithTest } from '../kit/testClient.js'
import { startTorusAuthServer, type TorusAuthServer } from '../utils/torusAuthServer.js'

describe("tokenEndpoints against a backend speaking Torus's protocol", () => {
  let server: TorusAuthServer
  beforeAll(async () => {
    server = await startTorusAuthServer()
  })
  afterAll(() => server.close())
  afterEach(() => {
    server.failNext(0)
    server.setClockOffset(0)
  })

  /** The auth service's hand-over after login (in a browser: a postMessage from its iframe). */
  async function login(
    sub: string,
    data: unknown,
  ): Promise<Required<Pick<TokenSet, 'session_id' | 'access_token' | 'refresh_token' | 'id_token'>>> {
    const res = await fetch(`${server.url}/login`, { method: 'POST', body: JSON.stringify({ sub, data }) })
    return res.json()
  }

  /** One page load: a new method instance and a new client over the same storage. */
  function page(
    storage: StorageAdapter,
    options: { environment?: Partial<Environment>; refreshEndpoint?: string } = {},
  ) {
    const endpoints = tokenEndpoints({
      baseURL: server.url,
      ...(options.refreshEndpoint ? { refreshEndpoint: options.refreshEndpoint } : {}),
    })
    const client = destroyedWithTest(
      createSessionClient({
        appId: 'torus',
        methods: [endpoints],
        storage,
        sync: false,
        keyStore: false,
        ...(options.environment ? { environment: options.environment } : {}),
      }),
    )
    return { endpoints, client }
  }

  it('setTokens with the snake_case set, then refreshes rotate through the sessions endpoint', async () => {
    const set = await login('ada', { userId: 'ada-1' })
    const { client } = page(memoryStorage())
    const session = await client.setTokens(credentialsFromTokenSet(set), { method: 'tokens' })
    expect(session.subject).toBe('ada')
    expect(session.method).toBe('tokens')
    expect(session.accessToken).toBe(set.access_token)
    // The session id is the server's, not tessera's own session id.
    expect(session.id).not.toContain(set.session_id)

    const before = server.requests.length
    const first = await client.refresh()
    const second = await client.refresh()
    expect(new Set([set.access_token, first, second]).size).toBe(3)
    const [r1, r2] = server.requests.slice(before)
    // Torus's request shape: the access token as Bearer, the refresh token in the JSON body.
    expect(r1).toMatchObject({ path: '/v1/auth/session', authorization: `Bearer ${set.access_token}` })
    expect(r1?.body).toEqual({ refresh_token: set.refresh_token })
    expect(r2?.authorization).toBe(`Bearer ${first}`)
    expect(r2?.body.refresh_token).not.toBe(set.refresh_token)
    expect(server.isRefreshTokenAlive(set.refresh_token)).toBe(false)
    expect(server.counters.reuse).toBe(0)
    expect(client.getSession()?.accessToken).toBe(second)
  })

  it('signIn takes the set directly, including one with only a session id and a refresh token', async () => {
    const full = await login('bo', { userId: 'bo-1' })
    const a = page(memoryStorage())
    expect((await a.client.signIn(full)).subject).toBe('bo')

    const partial = await login('cy', { userId: 'cy-1' })
    const b = page(memoryStorage())
    const session = await b.client.signIn({
      session_id: partial.session_id,
      refresh_token: partial.refresh_token,
    })
    expect(session.subject).toBe('cy')
    expect(session.accessToken).not.toBe(partial.access_token)
    // The refresh that made the access token also brought the session data: no second rotation.
    const sessionsBefore = server.counters.sessions
    expect((await b.endpoints.authorize(b.client))?.data).toEqual({ userId: 'cy-1' })
    expect(server.counters.sessions).toBe(sessionsBefore)
  })

  it('authorize() on page load refreshes and returns the decrypted session data', async () => {
    const storage = memoryStorage()
    const set = await login('dee', { userId: 'dee-1', roles: ['admin'] })
    await page(storage).client.setTokens(credentialsFromTokenSet(set), { method: 'tokens' })

    const reload = page(storage)
    const sessionsBefore = server.counters.sessions
    const restored = await reload.endpoints.authorize<{ userId: string; roles: string[] }>(reload.client)
    expect(restored?.data).toEqual({ userId: 'dee-1', roles: ['admin'] })
    expect(restored?.session.subject).toBe('dee')
    expect(reload.client.getStatus()).toBe('active')
    expect(server.counters.sessions).toBe(sessionsBefore + 1)
    // Asked again on the same page, it answers from the refresh it already made.
    expect((await reload.endpoints.authorize(reload.client))?.data).toEqual({
      userId: 'dee-1',
      roles: ['admin'],
    })
    expect(server.counters.sessions).toBe(sessionsBefore + 1)
  })

  it("the fixture speaks Torus's protocol: Torus's own AuthSessionManager restores the same data from it", async () => {
    const set = await login('eve', { userId: 'eve-1' })
    const store = new MemoryStorage()
    const torus = new AuthSessionManager<{ userId: string }>({
      apiClientConfig: { baseURL: server.url },
      storage: { sessionId: store, accessToken: store, refreshToken: store, idToken: store },
    })
    await torus.setTokens({
      sessionId: `0x${set.session_id}`,
      accessToken: set.access_token,
      refreshToken: set.refresh_token,
      idToken: set.id_token,
    })
    expect(await torus.authorize()).toEqual({ userId: 'eve-1' })
    await torus.logout()
  })

  it('without a session, authorize() resolves null and calls nothing', async () => {
    const { endpoints, client } = page(memoryStorage())
    const before = server.requests.length
    expect(await endpoints.authorize(client)).toBeNull()
    expect(server.requests.length).toBe(before)
  })

  it('a network failure during authorize() keeps the session; the next authorize() restores it (Torus wipes it)', async () => {
    const storage = memoryStorage()
    const set = await login('fay', { userId: 'fay-1' })
    await page(storage).client.setTokens(credentialsFromTokenSet(set), { method: 'tokens' })

    // The user comes back two hours later (the access token has expired) to a dead network.
    const later = 2 * 3600_000
    server.setClockOffset(later)
    const environment = { now: () => Date.now() + later }
    server.failNext(100, 'socket')
    const offline = page(storage, { environment })
    await expect(offline.endpoints.authorize(offline.client)).rejects.toMatchObject({ code: 'NETWORK' })
    expect(offline.client.getStatus()).toBe('expired')
    // Nothing was wiped: the refresh token is still stored and still valid at the server.
    expect(storedToken(storage, 'tessera:torus:refresh_token')).toBe(set.refresh_token)
    expect(server.isRefreshTokenAlive(set.refresh_token)).toBe(true)
    offline.client.destroy()

    // A server error is no rejection either.
    server.failNext(100, 503)
    const flaky = page(storage, { environment })
    await expect(flaky.endpoints.authorize(flaky.client)).rejects.toMatchObject({ code: 'NETWORK' })
    expect(storedToken(storage, 'tessera:torus:refresh_token')).toBe(set.refresh_token)
    flaky.client.destroy()

    server.failNext(0)
    const online = page(storage, { environment })
    const restored = await online.endpoints.authorize(online.client)
    expect(restored?.data).toEqual({ userId: 'fay-1' })
    expect(online.client.getStatus()).toBe('active')

    // The same outage with Torus: authorize() answers null and the tokens are gone.
    server.setClockOffset(0)
    const torusSet = await login('gus', { userId: 'gus-1' })
    const store = new MemoryStorage()
    const torus = new AuthSessionManager({
      apiClientConfig: { baseURL: server.url },
      storage: { sessionId: store, accessToken: store, refreshToken: store, idToken: store },
    })
    await torus.setTokens({
      sessionId: `0x${torusSet.session_id}`,
      accessToken: torusSet.access_token,
      refreshToken: torusSet.refresh_token,
    })
    server.failNext(1, 'socket')
    expect(await torus.authorize()).toBeNull()
    expect(await torus.getRefreshToken()).toBeNull()
  })

  it('a rejected refresh during authorize() resolves null and ends the session', async () => {
    const storage = memoryStorage()
    const set = await login('hal', { userId: 'hal-1' })
    const first = page(storage)
    await first.client.setTokens(credentialsFromTokenSet(set), { method: 'tokens' })
    // Another device logs this session out at the server.
    await fetch(`${server.url}/v1/auth/logout`, {
      method: 'POST',
      body: JSON.stringify({ refresh_token: set.refresh_token }),
    })
    first.client.destroy()
    const reload = page(storage)
    expect(await reload.endpoints.authorize(reload.client)).toBeNull()
    expect(reload.client.getStatus()).toBe('expired')
    expect(storage.get('tessera:torus:refresh_token')).toBeNull()
  })

  it('session data that fails to decrypt is refused with INVALID_SESSION; the tokens stay', async () => {
    const storage = memoryStorage()
    const set = await login('ivy', { userId: 'ivy-1' })
    await page(storage).client.setTokens(credentialsFromTokenSet(set), { method: 'tokens' })
    const blob = JSON.parse(
      await (async () => {
        // A valid blob for another session id: the MAC fails under this one.
        const other = await login('mallory', { userId: 'mallory' })
        const probe = page(memoryStorage())
        await probe.client.setTokens(credentialsFromTokenSet(other), { method: 'tokens' })
        const res = await fetch(`${server.url}/v1/auth/session`, {
          method: 'POST',
          body: JSON.stringify({ refresh_token: other.refresh_token }),
        })
        return JSON.stringify((await res.json()).session_data)
      })(),
    ) as string
    server.forgeSessionData(set.session_id, blob)
    const reload = page(storage)
    await expect(reload.endpoints.authorize(reload.client)).rejects.toMatchObject({ code: 'INVALID_SESSION' })
    expect(reload.client.getStatus()).toBe('active')
    expect(storage.get('tessera:torus:refresh_token')).not.toBeNull()
  })

  it('logout posts the tokens to the logout endpoint, which revokes them; local state is cleared', async () => {
    const set = await login('jo', { userId: 'jo-1' })
    const { client } = page(memoryStorage())
    await client.setTokens(credentialsFromTokenSet(set), { method: 'tokens' })
    const before = server.counters.logouts
    await client.signOut()
    expect(client.getStatus()).toBe('signedOut')
    for (let i = 0; i < 50 && server.counters.logouts === before; i++)
      await new Promise((r) => setTimeout(r, 10))
    expect(server.counters.logouts).toBe(before + 1)
    const logout = server.requests.at(-1)
    expect(logout).toMatchObject({ path: '/v1/auth/logout', authorization: `Bearer ${set.access_token}` })
    expect(logout?.body).toEqual({ refresh_token: set.refresh_token })
    expect(server.isRefreshTokenAlive(set.refresh_token)).toBe(false)
  })

  it('with a separate refreshEndpoint, routine refreshes use it and authorize() uses the sessions endpoint', async () => {
    const storage = memoryStorage()
    const set = await login('kit', { userId: 'kit-1' })
    const { endpoints, client } = page(storage, { refreshEndpoint: '/v1/auth/refresh' })
    await client.setTokens(credentialsFromTokenSet(set), { method: 'tokens' })
    const before = server.requests.length
    await client.refresh()
    expect((await endpoints.authorize(client))?.data).toEqual({ userId: 'kit-1' })
    expect(server.requests.slice(before).map((r) => r.path)).toEqual(['/v1/auth/refresh', '/v1/auth/session'])
  })

  it('authorize() joining a routine refresh already in flight still fetches the session data', async () => {
    const set = await login('lu', { userId: 'lu-1' })
    const { endpoints, client } = page(memoryStorage(), { refreshEndpoint: '/v1/auth/refresh' })
    await client.setTokens(credentialsFromTokenSet(set), { method: 'tokens' })
    const before = server.requests.length
    const routine = client.refresh()
    const restored = await endpoints.authorize(client)
    await routine
    expect(restored?.data).toEqual({ userId: 'lu-1' })
    // The routine refresh either went to the refresh endpoint (then authorize made one more) or,
    // started after authorize began waiting, to the sessions endpoint and brought the data itself.
    const paths = server.requests.slice(before).map((r) => r.path)
    expect(paths.at(-1)).toBe('/v1/auth/session')
    expect(paths.length).toBeLessThanOrEqual(2)
    expect(server.counters.reuse).toBe(0)
  })
})
