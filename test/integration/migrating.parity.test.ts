// docs/MIGRATING.md claims, row by row, what the five source SDKs' session calls become in
// tessera. Most rows point at the suite that owns the feature; these are the rows no other test
// pinned down exactly as the seed documents describe them.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type AuthMethod,
  createSessionClient,
  memoryKeyStore,
  memoryStorage,
  type SessionClientOptions,
  type SessionError,
  type SessionExpiredEvent,
} from '../../src/index.js'
import { createSessionKit } from '../../src/kit/index.js'
import { passkey } from '../../src/passkey/index.js'
import { simulatedEnvironment } from '../../src/testing/index.js'
import { removeWalletSession, walletSessionOf } from '../../src/wallet/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { simulatedOrigin } from '../kit/origin.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'
import { destroyedWithTest, testClient } from '../kit/testClient.js'
import { siweWallet, startSiweServer } from '../utils/siweServer.js'
import { testWallet } from '../utils/testWallet.js'

/** A fetch that records what it was asked and answers from `answer`. */
function recordingFetch(answer: (url: string, init: RequestInit | undefined) => Response) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = []
  const fetchFn: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    calls.push({ url, init })
    return answer(url, init)
  }
  return { fetchFn, calls }
}

describe('OMS wallet session state', () => {
  it('address, expiresAt, method and email are read back on the first line after a reload', async () => {
    const storage = memoryStorage()
    const keyStore = memoryKeyStore()
    const exp = Math.floor(Date.now() / 1000) + 600
    const method: AuthMethod = {
      id: 'wallet',
      signIn: async () => ({
        accessToken: fakeJwt({ sub: 'u-1', exp }),
        address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
        email: 'ada@example.com',
      }),
    }
    const make = () =>
      destroyedWithTest(
        createSessionClient({ appId: 'oms', methods: [method], storage, keyStore, sync: false }),
      )
    await make().signIn()
    // OMS: oms.wallet.session.{walletAddress, expiresAt, loginType, sessionEmail}
    const reloaded = make().getSession()
    expect(reloaded).toMatchObject({
      address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      expiresAt: exp,
      method: 'wallet',
      email: 'ada@example.com',
    })
  })

  it('without a storage option in Node, the session lives in memory only', async () => {
    expect(typeof (globalThis as { localStorage?: unknown }).localStorage).toBe('undefined')
    const { method } = scriptedMethod()
    const options: SessionClientOptions = {
      appId: 'oms-memory',
      methods: [method],
      keyStore: memoryKeyStore(),
      sync: false,
    }
    const first = destroyedWithTest(createSessionClient(options))
    expect((await first.signIn()).subject).toBe('user-1')
    expect(first.getStatus()).toBe('active')
    // A second client of the same app shares nothing with the first: nothing was persisted.
    expect(destroyedWithTest(createSessionClient(options)).getSession()).toBeNull()
  })
})

describe('OMS onSessionExpired', () => {
  it('a throwing listener harms no other listener; its error goes to errors$, and unsubscribe stops the calls', async () => {
    const env = simulatedEnvironment({ now: Date.UTC(2026, 2, 1, 10) })
    const { client, state } = testClient({ environment: env })
    const errors: SessionError[] = []
    client.errors$.subscribe((e) => errors.push(e))
    client.onSessionExpired(() => {
      throw new Error('app bug')
    })
    const seen: SessionExpiredEvent[] = []
    const off = client.onSessionExpired((event) => seen.push(event))
    const session = await client.signIn()
    state.plan.push('reject')
    await env.advance(241_000)
    expect(client.getStatus()).toBe('expired')
    expect(seen).toHaveLength(1)
    expect(seen[0]?.session.id).toBe(session.id)
    expect(seen[0]?.expiredAt).toBeTypeOf('number')
    expect(errors.some((e) => e.code === 'LISTENER_ERROR')).toBe(true)

    off()
    await client.signIn()
    state.plan.push('reject')
    await env.advance(241_000)
    expect(client.getStatus()).toBe('expired')
    expect(seen).toHaveLength(1)
  })
})

describe('baas onAuthStateChange', () => {
  it('fires at once, then on sign-in, refresh and sign-out (null), in this tab and in another', async () => {
    const origin = simulatedOrigin({ manual: false })
    const a = origin.tab()
    const b = origin.tab()
    const inA: Array<string | null> = []
    const inB: Array<string | null> = []
    a.onAuthStateChange((session) => inA.push(session?.accessToken ?? null))
    b.onAuthStateChange((session) => inB.push(session?.accessToken ?? null))
    expect(inA).toEqual([null])
    expect(inB).toEqual([null])

    const session = await a.signIn()
    await origin.env.settle()
    expect(inA.at(-1)).toBe(session.accessToken)
    expect(inB.at(-1)).toBe(session.accessToken)

    const next = await a.refresh()
    await origin.env.settle()
    expect(next).not.toBe(session.accessToken)
    expect(inA.at(-1)).toBe(next)
    expect(inB.at(-1)).toBe(next)

    await a.signOut()
    await origin.env.settle()
    expect(inA.at(-1)).toBeNull()
    expect(inB.at(-1)).toBeNull()
    expect(b.getStatus()).toBe('signedOut')
  })
})

describe('baas automatic refresh before requests', () => {
  it('a token within 60 s of expiry is refreshed before getAccessToken hands it out or client.fetch sends it', async () => {
    const env = simulatedEnvironment({ now: Date.UTC(2026, 2, 1, 10) })
    const { fetchFn, calls } = recordingFetch(() => new Response('ok'))
    const { client, state } = testClient({
      environment: env,
      fetch: fetchFn,
      apiOrigins: ['https://api.example'],
    })
    const first = await client.signIn() // a 300 s token
    env.sleep(250_000) // 50 s left, and the refresh timer has not fired (a sleeping tab)
    const second = await client.getAccessToken()
    expect(state.refreshes).toBe(1)
    expect(second).not.toBe(first.accessToken)

    env.sleep(250_000)
    await client.fetch('https://api.example/me')
    expect(state.refreshes).toBe(2)
    const sent = new Headers(calls[0]?.init?.headers).get('authorization')
    expect(sent).toBe(`Bearer ${client.getSession()?.accessToken}`)
    expect(sent).not.toBe(`Bearer ${second}`)
  })
})

describe('baas refresh cookie', () => {
  it('passkey() refreshes and signs out with credentials include, and no refresh token in JavaScript', async () => {
    const now = Math.floor(Date.now() / 1000)
    const next = fakeJwt({ sub: 'pk-user', exp: now + 600 })
    const { fetchFn, calls } = recordingFetch((url) =>
      url.endsWith('/auth/refresh')
        ? Response.json({ access_token: next, expires_in: 600 })
        : new Response(null, { status: 204 }),
    )
    const { client } = testClient({
      fetch: fetchFn,
      methods: [
        passkey({
          authenticationOptionsUrl: 'https://app.example/auth/passkey/options',
          authenticationVerifyUrl: 'https://app.example/auth/passkey/verify',
          refreshUrl: 'https://app.example/auth/refresh',
          logoutUrl: 'https://app.example/auth/logout',
        }),
      ],
    })
    // What a baas-style verify endpoint answers: an access token, the refresh token only as a cookie.
    await client.setTokens(
      { accessToken: fakeJwt({ sub: 'pk-user', exp: now + 600 }) },
      { method: 'passkey' },
    )
    expect(client.getRefreshToken()).toBeNull()

    expect(await client.refresh()).toBe(next)
    const refresh = calls.find((c) => c.url.endsWith('/auth/refresh'))
    expect(refresh?.init?.credentials).toBe('include')
    expect(JSON.parse(String(refresh?.init?.body))).toEqual({})
    expect(client.getSession()?.accessToken).toBe(next)

    await client.signOut()
    await vi.waitFor(() => expect(calls.some((c) => c.url.endsWith('/auth/logout'))).toBe(true))
    const logout = calls.find((c) => c.url.endsWith('/auth/logout'))
    expect(logout?.init?.credentials).toBe('include')
    expect(JSON.parse(String(logout?.init?.body))).toEqual({})
  })
})

describe("Torus HttpClient's verbs", () => {
  it('PUT, PATCH and DELETE through client.fetch keep the app headers and get the token', async () => {
    const { fetchFn, calls } = recordingFetch(() => new Response('ok'))
    const { client } = testClient({ fetch: fetchFn, apiOrigins: ['https://api.example.com'] })
    const session = await client.signIn()
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await client.fetch('https://api.example.com/users/1', {
        method,
        body: method === 'DELETE' ? null : JSON.stringify({ name: 'Alice' }),
        headers: { 'X-Custom-Header': 'value', 'content-type': 'application/json' },
        timeoutMs: 5000,
      })
      expect(res.status).toBe(200)
    }
    expect(calls.map((c) => c.init?.method)).toEqual(['PUT', 'PATCH', 'DELETE'])
    for (const call of calls) {
      const headers = new Headers(call.init?.headers)
      expect(headers.get('authorization')).toBe(`Bearer ${session.accessToken}`)
      expect(headers.get('x-custom-header')).toBe('value')
    }
  })
})

describe("WharfKit SessionKit's fetch option", () => {
  it("every session of the kit sends through the kit's fetch", async () => {
    const { fetchFn, calls } = recordingFetch(() => new Response('ok'))
    const kit = createSessionKit({
      appId: 'wharf',
      methods: [scriptedMethod({ id: 'pw' }).method],
      fetch: fetchFn,
      apiOrigins: ['https://api.example.com'],
      storage: memoryStorage(),
      keyStore: memoryKeyStore(),
      sync: false,
    })
    destroyedWithTest(kit)
    const ada = await kit.signIn({ subject: 'ada' })
    const bob = await kit.signIn({ subject: 'bob' })
    await ada.client.fetch('https://api.example.com/orders')
    await bob.client.fetch('https://api.example.com/orders')
    expect(calls.map((c) => new Headers(c.init?.headers).get('authorization'))).toEqual([
      `Bearer ${ada.session.accessToken}`,
      `Bearer ${bob.session.accessToken}`,
    ])
  })
})

describe("did-session's hasSession", () => {
  let siwe: Awaited<ReturnType<typeof startSiweServer>>
  beforeAll(async () => {
    siwe = await startSiweServer()
  })
  afterAll(() => siwe.close())

  it('walletSessionOf is null before sign-in, hasSession after, and null again after removeWalletSession', async () => {
    const w = testWallet()
    const client = destroyedWithTest(
      createSessionClient({
        appId: 'did',
        methods: [siweWallet(siwe, w.provider, { resources: ['ceramic://*'] })],
        storage: memoryStorage(),
        keyStore: memoryKeyStore(),
        sync: false,
      }),
    )
    expect(walletSessionOf(client)).toBeNull()
    await client.signIn()
    expect(walletSessionOf(client)?.hasSession).toBe(true)
    expect(await removeWalletSession(client, w.address)).toBe(true)
    expect(walletSessionOf(client)).toBeNull()
  })
})
