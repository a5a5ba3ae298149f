/**
 * Issue 12, Node end to end: a real secp256k1 wallet signs in, the session is serialized with its
 * key, another process restores it and calls a loopback API that trusts only verifySessionToken:
 * 200; the same token once the capability expired: 401.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryKeyStore } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { testClient } from '../kit/testClient.js'
import { siweWallet, startSiweServer } from '../utils/siweServer.js'
import { checksummed, testWallet } from '../utils/testWallet.js'
import { startWalletApi, type WalletApi } from '../utils/walletApi.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

interface ChildResult {
  did: string
  token: string
  posts: { status: number; body: unknown }
  dpop: { status: number; body: unknown }
}

function runChild(input: unknown): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'test/utils/restoreInChild.ts'],
      { cwd: root, timeout: 30_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    )
    child.stdin?.end(JSON.stringify(input))
  })
}

describe('a portable wallet session, end to end in Node', () => {
  let siwe: Awaited<ReturnType<typeof startSiweServer>>
  let api: WalletApi
  beforeAll(async () => {
    siwe = await startSiweServer()
    api = await startWalletApi({ domain: 'dapp.example', resources: ['https://api.example/posts'] })
  })
  afterAll(async () => {
    await siwe.close()
    await api.close()
  })

  it('signs in with a real wallet, restores in another process with its key: 200, then 401 once the capability expired', async () => {
    const w = testWallet({ chainId: 1 })
    const keyStore = memoryKeyStore({ extractable: true })
    const { client } = testClient({
      methods: [
        siweWallet(siwe, w.provider, { resources: ['https://api.example/posts'], expiresInSecs: 600 }),
      ],
      keyStore,
    })
    const session = await client.signIn()
    const text = (await client.serialize({ includeKey: true })) as string

    // A DPoP-bound session of the same kind of store, to prove DPoP proofs travel too.
    const { client: dpopClient } = testClient({ methods: [], keyStore })
    const dpopSession = await dpopClient.setTokens({
      accessToken: fakeJwt({ sub: 'svc', exp: Math.floor(Date.now() / 1000) + 600 }),
      tokenType: 'DPoP',
    })
    api.expectDPoPKey(dpopSession.keyThumbprint as string)
    const dpopText = (await dpopClient.serialize({ includeKey: true })) as string
    // This process is done with them: only the strings go on, to another process.
    client.destroy()
    dpopClient.destroy()

    const result = await runChild({ text, siweUrl: siwe.url, apiUrl: api.url, dpopText })
    expect(result.did).toBe(session.did)
    expect(result.posts).toEqual({
      status: 200,
      body: { account: `eip155:1:${checksummed(w.address)}`, resources: ['https://api.example/posts'] },
    })
    expect(result.dpop).toEqual({ status: 200, body: { jkt: dpopSession.keyThumbprint } })

    // Eleven minutes later the capability (10 min) is over; the token itself (1 h) is not.
    api.advance(11 * 60_000)
    const late = await fetch(`${api.url}/posts`, { headers: { authorization: `Bearer ${result.token}` } })
    expect(late.status).toBe(401)
    expect(await late.json()).toEqual({ code: 'CAPABILITY_EXPIRED' })
  }, 60_000)
})
