import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { siweMessage, wallet } from '../../src/wallet/index.js'
import { testClient } from '../kit/testClient.js'
import { startSiweServer } from '../utils/siweServer.js'
import { checksummed, testWallet } from '../utils/testWallet.js'

describe('wallet sign-in (Sign-In with Ethereum)', () => {
  let siwe: Awaited<ReturnType<typeof startSiweServer>>
  beforeAll(async () => {
    siwe = await startSiweServer()
  })
  afterAll(() => siwe.close())

  const method = (provider: ReturnType<typeof testWallet>['provider']) =>
    wallet({
      provider,
      nonceUrl: `${siwe.url}/nonce`,
      verifyUrl: `${siwe.url}/verify`,
      refreshUrl: `${siwe.url}/refresh`,
      logoutUrl: `${siwe.url}/logout`,
      domain: 'dapp.example',
      uri: 'https://dapp.example',
      statement: 'Sign in to the tessera test dapp.',
      resources: ['https://dapp.example/posts'],
    })

  it('a nonce endpoint that cannot be reached or answers 503 is NETWORK; one without a nonce is INVALID_RESPONSE', async () => {
    const answers = [503, 200]
    const server = createServer((_req, res) => {
      const status = answers.shift() ?? 200
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(status === 200 ? '{}' : '{"error":"busy"}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const w = testWallet()
    const signInAt = (nonceUrl: string) => {
      const { client } = testClient({
        methods: [
          wallet({ provider: w.provider, nonceUrl, verifyUrl: `${base}/verify`, domain: 'dapp.example' }),
        ],
      })
      return client.signIn().then(
        () => 'signed in',
        (error: { code?: string }) => error.code,
      )
    }
    try {
      expect(await signInAt(`${base}/nonce`)).toBe('NETWORK') // 503
      expect(await signInAt(`${base}/nonce`)).toBe('INVALID_RESPONSE') // 200 {}
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    expect(await signInAt(`${base}/nonce`)).toBe('NETWORK') // nothing listens any more
    expect(w.calls).not.toContain('personal_sign') // the wallet was never asked to sign
  })

  it('signs in with a real signature verified by the backend, refreshes, and signs out', async () => {
    const w = testWallet({ chainId: 137 })
    const { client } = testClient({ methods: [method(w.provider)] })
    const session = await client.signIn()
    expect(session.address).toBe(checksummed(w.address))
    expect(session.subject).toBe(`eip155:137:${checksummed(w.address)}`)
    expect(session.method).toBe('wallet')
    expect(session.authorizations).toEqual(['https://dapp.example/posts'])
    expect(client.hasSessionFor(w.address, { authorizations: ['https://dapp.example/posts'] })).toBe(true)
    expect(w.calls).toEqual(['eth_requestAccounts', 'eth_chainId', 'personal_sign'])

    const token = await client.refresh()
    expect(token).not.toBe(session.accessToken)
    expect(client.getSession()?.address).toBe(checksummed(w.address))
    expect(siwe.counts.refresh).toBe(1)

    await client.signOut()
    await new Promise((r) => setTimeout(r, 50))
    expect(siwe.counts.logout).toBe(1)
  })

  it('a user who rejects the signature gets SIGN_IN_FAILED and stays signed out', async () => {
    const { client } = testClient({ methods: [method(testWallet({ reject: true }).provider)] })
    await expect(client.signIn()).rejects.toMatchObject({ code: 'SIGN_IN_FAILED', message: /rejected/ })
    expect(client.getStatus()).toBe('signedOut')
  })

  it('a wallet that signs for another address is refused by the backend', async () => {
    const honest = testWallet()
    const liar = testWallet()
    const forged = {
      request: async (args: { method: string; params?: unknown[] }) =>
        args.method === 'eth_requestAccounts'
          ? [honest.address]
          : liar.provider.request(
              args.method === 'personal_sign'
                ? { ...args, params: [(args.params as string[])[0], liar.address] }
                : args,
            ),
    }
    const { client } = testClient({ methods: [method(forged)] })
    const before = siwe.counts.badSignatures
    await expect(client.signIn()).rejects.toMatchObject({ code: 'SIGN_IN_FAILED' })
    expect(siwe.counts.badSignatures).toBe(before + 1)
  })

  it('builds EIP-4361 text exactly and refuses malformed fields', () => {
    const text = siweMessage({
      domain: 'dapp.example',
      address: '0x0000000000000000000000000000000000000001',
      statement: 'Hi',
      uri: 'https://dapp.example',
      chainId: 1,
      nonce: 'abcdef123',
      issuedAt: '2026-01-01T00:00:00.000Z',
      resources: ['ipfs://x'],
    })
    expect(text).toBe(
      [
        'dapp.example wants you to sign in with your Ethereum account:',
        '0x0000000000000000000000000000000000000001',
        '',
        'Hi',
        '',
        'URI: https://dapp.example',
        'Version: 1',
        'Chain ID: 1',
        'Nonce: abcdef123',
        'Issued At: 2026-01-01T00:00:00.000Z',
        'Resources:',
        '- ipfs://x',
      ].join('\n'),
    )
    expect(() =>
      siweMessage({ domain: 'd', address: 'nope', uri: 'u', chainId: 1, nonce: 'abcdefgh1', issuedAt: 'x' }),
    ).toThrow()
  })
})
