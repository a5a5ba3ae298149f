// Issue 12: "isExpired, expiresInSecs, authorizations from the capability" (did-session's surface).
// They live on the wallet session view (walletSessionOf / getWalletSession), read from the CACAO;
// the client's own isExpired / expiresInSecs are the access token's. docs/MIGRATING.md mapped
// did-session's getters to the client's, which answer 299 s where did-session answers a week.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessionClient, memoryKeyStore, memoryStorage } from '../../src/index.js'
import { walletSessionOf } from '../../src/wallet/index.js'
import { destroyedWithTest } from '../kit/testClient.js'
import { siweWallet, startSiweServer } from '../utils/siweServer.js'
import { testWallet } from '../utils/testWallet.js'

describe('the client reads its wallet session’s life from the capability', () => {
  let siwe: Awaited<ReturnType<typeof startSiweServer>>
  beforeAll(async () => {
    siwe = await startSiweServer()
  })
  afterAll(() => siwe.close())

  it('the wallet session view follows the CACAO (a week); the client’s own getters follow the access token', async () => {
    let clock = Date.now()
    const w = testWallet()
    const client = destroyedWithTest(
      createSessionClient({
        appId: 'cap-clock',
        methods: [
          siweWallet(siwe, w.provider, { refreshUrl: `${siwe.url}/refresh`, resources: ['ceramic://*'] }),
        ],
        storage: memoryStorage(),
        keyStore: memoryKeyStore(),
        environment: { now: () => clock },
        sync: false,
      }),
    )
    const session = await client.signIn()
    const capabilityExp = Math.floor(Date.parse(session.capability?.p.exp as string) / 1000)
    const view = walletSessionOf(client, { now: () => clock })
    expect(view?.expiresInSecs).toBe(capabilityExp - Math.floor(clock / 1000))
    expect(client.authorizations).toEqual(['ceramic://*'])
    expect(view?.expiresInSecs).toBe(7 * 24 * 3600)
    expect(view?.authorizations).toEqual(['ceramic://*'])
    expect(view?.isExpired).toBe(false)
    // The client's getters are the access token's (the SIWE test server issues 300 s tokens).
    expect(client.expiresInSecs).toBeLessThanOrEqual(300)
    // Past the token, before the capability's end: the view still lives, the client's token not.
    clock += 301_000
    expect(client.isExpired).toBe(true)
    expect(walletSessionOf(client, { now: () => clock })?.isExpired).toBe(false)
  })
})
