/** Issue 12: wallet sign-in delegates to the session key with a CACAO; did-session's surface on top. */
import { ParsedMessage } from '@spruceid/siwe-parser'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createSessionClient,
  type KeyStore,
  memoryKeyStore,
  memoryStorage,
  type StorageAdapter,
} from '../../src/index.js'
import { verifySessionToken } from '../../src/server/index.js'
import {
  decodeRecap,
  encodeRecap,
  getWalletSession,
  type Recap,
  recapStatement,
  removeWalletSession,
  type wallet,
  walletSessionOf,
} from '../../src/wallet/index.js'
import { destroyedWithTest, testClient } from '../kit/testClient.js'
import { siweWallet, startSiweServer } from '../utils/siweServer.js'
import { checksummed, testWallet } from '../utils/testWallet.js'

const WEEK = 7 * 24 * 3600
const recap: Recap = {
  att: { 'https://api.example/posts': { 'crud/read': [{}], 'crud/update': [{}] } },
  prf: [],
}

describe('wallet sessions as object capabilities (issue 12)', () => {
  let siwe: Awaited<ReturnType<typeof startSiweServer>>
  let clock = Date.now()
  beforeAll(async () => {
    siwe = await startSiweServer()
  })
  afterAll(() => siwe.close())
  afterEach(() => {
    clock = Date.now()
  })

  const make = (
    w: ReturnType<typeof testWallet>,
    extra: Partial<Parameters<typeof wallet>[0]> = {},
    shared: { storage?: StorageAdapter; keyStore?: KeyStore } = {},
  ) =>
    // Built here: tests reload a client on the storage and keys it shares with an earlier one.
    destroyedWithTest(
      createSessionClient({
        appId: 'cap',
        methods: [
          siweWallet(siwe, w.provider, {
            refreshUrl: `${siwe.url}/refresh`,
            resources: ['ceramic://*'],
            ...extra,
          }),
        ],
        storage: shared.storage ?? memoryStorage(),
        keyStore: shared.keyStore ?? memoryKeyStore(),
        environment: { now: () => clock },
        sync: false,
      }),
    )

  it('the wallet signs an EIP-4361 message whose URI is the session key; the session keeps it as a CAIP-74 CACAO', async () => {
    const w = testWallet({ chainId: 137 })
    const session = await make(w, { statement: 'Use the dapp.' }).signIn()
    const message = new ParsedMessage(w.messages[0] as string)
    const address = checksummed(w.address)
    expect(message.uri).toBe(session.did)
    expect(message.address).toBe(address)
    expect(message.resources).toEqual(['ceramic://*'])
    expect(Date.parse(message.expirationTime as string) - Date.parse(message.issuedAt)).toBe(WEEK * 1000)
    expect(siwe.counts.verify).toBeGreaterThan(0)
    // Exactly the shape, field for field and in order.
    expect(session.capability).toEqual({
      h: { t: 'eip4361' },
      p: {
        domain: 'dapp.example',
        iss: `did:pkh:eip155:137:${address}`,
        aud: session.did,
        version: '1',
        nonce: message.nonce,
        iat: message.issuedAt,
        exp: message.expirationTime,
        statement: 'Use the dapp.',
        resources: ['ceramic://*'],
      },
      s: { t: 'eip191', s: expect.stringMatching(/^0x[0-9a-f]{130}$/) },
    })
    expect(Object.keys(session.capability?.p ?? {})).toEqual([
      'domain',
      'iss',
      'aud',
      'version',
      'nonce',
      'iat',
      'exp',
      'statement',
      'resources',
    ])
    expect(session.authorizations).toEqual(['ceramic://*'])
    expect(session.subject).toBe(`eip155:137:${address}`)
  })

  it('resources given per call win over the method’s; a ReCap goes last, its statement after the app’s', async () => {
    const w = testWallet()
    const client = make(w, { statement: 'Use the dapp.' })
    const session = await client.signIn({
      resources: ['https://api.example/feed'],
      recap,
      expiresInSecs: 3600,
    })
    const resources = session.capability?.p.resources ?? []
    expect(resources.slice(0, -1)).toEqual(['https://api.example/feed'])
    expect(decodeRecap(resources.at(-1) as string)).toEqual(recap)
    expect(session.capability?.p.statement).toBe(`Use the dapp. ${recapStatement(recap)}`)
    expect(recapStatement(recap)).toBe(
      "I further authorize the stated URI to perform the following actions on my behalf: (1) 'crud': 'read', 'update' for 'https://api.example/posts'.",
    )
    const parsed = new ParsedMessage(w.messages[0] as string)
    expect(parsed.statement).toBe(session.capability?.p.statement)
    expect(Date.parse(parsed.expirationTime as string) - Date.parse(parsed.issuedAt)).toBe(3600_000)
  })

  it('the capability survives a reload and serialize() carries it', async () => {
    const storage = memoryStorage()
    const keyStore = memoryKeyStore()
    const w = testWallet()
    const first = make(w, {}, { storage, keyStore })
    const session = await first.signIn()
    first.destroy()
    const again = make(w, {}, { storage, keyStore })
    await again.ready()
    expect(again.getSession()?.capability).toEqual(session.capability)
    expect(again.hasSessionFor(w.address, { resources: ['ceramic://kjzl6x'] })).toBe(true)
    const text = (await again.serialize()) as string
    const elsewhere = make(w, {}, { keyStore })
    expect((await elsewhere.restore(text)).capability).toEqual(session.capability)
  })

  it('getIdToken carries the capability, and tessera-session/server accepts it for that account', async () => {
    const w = testWallet()
    const client = make(w)
    const session = await client.signIn()
    const token = await client.getIdToken({ customClaims: { aud: 'https://api.example' } })
    const verified = await verifySessionToken(token, {
      domain: 'dapp.example',
      resources: ['ceramic://kjzl6x'],
    })
    expect(verified.account).toBe(session.subject)
    expect(verified.sessionKey).toBe(session.did)
    expect(verified.claims.cacao).toEqual(session.capability)
    expect(verified.claims.aud).toBe('https://api.example')
  })

  it('hasSessionFor: any form of the account, case-insensitive for the address only; resources covered with wildcards', async () => {
    const w = testWallet({ chainId: 5 })
    const client = make(w, { resources: ['ceramic://*', 'https://api.example/posts'] })
    await client.signIn()
    const address = checksummed(w.address)
    for (const account of [
      w.address,
      address,
      w.address.toUpperCase().replace('0X', '0x'),
      `eip155:5:${w.address}`,
      `did:pkh:eip155:5:${address}`,
    ]) {
      expect(client.hasSessionFor(account), account).toBe(true)
    }
    expect(client.hasSessionFor(`eip155:1:${address}`)).toBe(false)
    expect(client.hasSessionFor(testWallet().address)).toBe(false)
    expect(client.hasSessionFor(`eip155:5:${address}`.toUpperCase())).toBe(false)
    const has = (resources: string[]) => client.hasSessionFor(address, { resources })
    expect(has(['ceramic://*'])).toBe(true)
    expect(has(['ceramic://kjzl6stream', 'ceramic://*?model=kjzl6model'])).toBe(true)
    expect(has(['https://api.example/posts'])).toBe(true)
    expect(has(['https://api.example/posts/1'])).toBe(false)
    expect(has(['https://api.example/posts', 'ipfs://x'])).toBe(false)
  })

  it('hasSessionFor with ReCaps: a requested ReCap is covered only by granted abilities', async () => {
    const w = testWallet()
    const client = make(w, { resources: [], recap })
    await client.signIn()
    const read = encodeRecap({ att: { 'https://api.example/posts': { 'crud/read': [{}] } }, prf: [] })
    const remove = encodeRecap({ att: { 'https://api.example/posts': { 'crud/delete': [{}] } }, prf: [] })
    expect(client.hasSessionFor(w.address, { resources: [read] })).toBe(true)
    expect(client.hasSessionFor(w.address, { resources: [remove] })).toBe(false)
  })

  it('hasSessionFor turns false when the capability expires, and the next refresh ends the session', async () => {
    const w = testWallet()
    const client = make(w)
    await client.signIn({ expiresInSecs: 600 })
    expect(client.hasSessionFor(w.address)).toBe(true)
    const refreshes = siwe.counts.refresh
    clock += 601_000
    expect(client.hasSessionFor(w.address)).toBe(false)
    await expect(client.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(client.getStatus()).toBe('expired')
    // The token server was never asked: the capability alone decided.
    expect(siwe.counts.refresh).toBe(refreshes)
  })

  it('getWalletSession reuses a covering session without the wallet, asks it only when none covers', async () => {
    const w = testWallet()
    const client = make(w, { resources: ['ceramic://*'] })
    const signs = () => w.calls.filter((c) => c === 'personal_sign').length
    const first = await getWalletSession(client, { resources: ['ceramic://*'], now: () => clock })
    expect(signs()).toBe(1)
    expect(first.did).toBe(client.getSession()?.did)
    expect(first.account).toBe(client.getSession()?.subject)
    expect(first.isExpired).toBe(false)
    expect(first.expiresInSecs).toBe(WEEK)
    expect(first.authorizations).toEqual(['ceramic://*'])
    expect(first.isAuthorized(['ceramic://kjzl6x'])).toBe(true)

    const again = await getWalletSession(client, { account: w.address, resources: ['ceramic://kjzl6x'] })
    expect(signs()).toBe(1)
    expect(again.capability).toEqual(first.capability)

    const wider = await getWalletSession(client, { resources: ['https://api.example/posts'] })
    expect(signs()).toBe(2)
    expect(wider.authorizations).toEqual(['https://api.example/posts'])
    expect(walletSessionOf(client)?.capability).toEqual(wider.capability)

    clock += 3600_000
    expect(walletSessionOf(client, { now: () => clock })?.expiresInSecs).toBe(WEEK - 3600)
    clock += WEEK * 1000
    const view = walletSessionOf(client, { now: () => clock })
    expect(view === null || view.isExpired).toBe(true)
  })

  it('getWalletSession for another account makes the wallet sign as that account, or fails when it does not share it', async () => {
    const w = testWallet()
    const client = make(w)
    await expect(getWalletSession(client, { account: testWallet().address })).rejects.toMatchObject({
      code: 'SIGN_IN_FAILED',
      message: /requested account/,
    })
    const ws = await getWalletSession(client, { account: `eip155:1:${w.address}` })
    expect(ws.address).toBe(checksummed(w.address))
  })

  it('removeWalletSession signs out the named account only', async () => {
    const w = testWallet()
    const client = make(w)
    await client.signIn()
    expect(await removeWalletSession(client, testWallet().address)).toBe(false)
    expect(client.getStatus()).toBe('active')
    expect(await removeWalletSession(client, `did:pkh:eip155:1:${w.address}`)).toBe(true)
    expect(client.getStatus()).toBe('signedOut')
    expect(client.hasSessionFor(w.address)).toBe(false)
  })

  it('a client without session keys signs in with plain SIWE: no capability, the page URI', async () => {
    const w = testWallet()
    const { client } = testClient({
      methods: [siweWallet(siwe, w.provider, { uri: 'https://dapp.example' })],
      keyStore: false,
    })
    const session = await client.signIn()
    expect(session.capability).toBeUndefined()
    expect(new ParsedMessage(w.messages[0] as string).uri).toBe('https://dapp.example')
    await expect(getWalletSession(client)).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE' })
  })
})
