/** Interoperability with Ceramic's own CACAO code (@didtools/cacao, @didtools/pkh-ethereum), both ways. */
import { Cacao, SiweMessage } from '@didtools/cacao'
import { EthereumNodeAuth, getAccountId, getEIP191Verifier } from '@didtools/pkh-ethereum'
import { ParsedMessage } from '@spruceid/siwe-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessionKey } from '../../src/keys/createSessionKey.js'
import { verifyCacao, verifySessionToken } from '../../src/server/index.js'
import { testClient } from '../kit/testClient.js'
import { makeCapability, sessionToken } from '../utils/capabilities.js'
import { siweWallet, startSiweServer } from '../utils/siweServer.js'
import { checksummed, testWallet } from '../utils/testWallet.js'

const verifiers = getEIP191Verifier()

describe('CACAO interoperability with Ceramic (did-session)', () => {
  let siwe: Awaited<ReturnType<typeof startSiweServer>>
  beforeAll(async () => {
    siwe = await startSiweServer()
  })
  afterAll(async () => {
    await siwe.close()
  })

  it('a capability made by a tessera wallet sign-in verifies with @didtools/cacao', async () => {
    const w = testWallet({ chainId: 10 })
    const { client } = testClient({
      methods: [
        siweWallet(siwe, w.provider, {
          resources: ['ceramic://*'],
          recap: { att: { 'https://api.example/posts': { 'crud/read': [{}] } }, prf: [] },
        }),
      ],
    })
    const session = await client.signIn()
    const capability = session.capability
    if (!capability) throw new Error('no capability')
    await expect(Cacao.verify(capability as never, { verifiers })).resolves.toBeUndefined()
    // Ceramic rebuilds exactly the text the wallet signed.
    expect(SiweMessage.fromCacao(capability as never).toMessageEip55()).toBe(w.messages[0])
    // A tampered copy does not verify with Ceramic's code either.
    const tampered = {
      ...capability,
      p: { ...capability.p, resources: ['ceramic://*', 'https://evil.example'] },
    }
    await expect(Cacao.verify(tampered as never, { verifiers })).rejects.toThrow(/Signature does not belong/)
    // An expired one neither (Ceramic's own clock check).
    await expect(
      Cacao.verify(capability as never, { verifiers, atTime: new Date(Date.now() + 8 * 86400_000) }),
    ).rejects.toThrow(/expired/)
  })

  it('every capability in the server tests verifies with @didtools/cacao (statement, no expiry, not-before, ReCap)', async () => {
    const now = Date.now()
    for (const options of [
      {},
      { expiresAt: null },
      { notBefore: new Date(now - 1000), chainId: 137 },
      { resources: [], recap: { att: { 'https://api.example/posts': { 'crud/read': [{}] } }, prf: [] } },
    ]) {
      const { cacao, message } = await makeCapability(options)
      await expect(Cacao.verify(cacao as never, { verifiers })).resolves.toBeUndefined()
      expect(() => new ParsedMessage(message)).not.toThrow()
    }
  })

  it('a capability made by Ceramic’s EthereumNodeAuth for a tessera session key is accepted by tessera-session/server', async () => {
    const w = testWallet({ chainId: 1 })
    const key = await createSessionKey()
    const accountId = await getAccountId(w.provider as never, w.address)
    const authMethod = await EthereumNodeAuth.getAuthMethod(w.provider as never, accountId, 'dapp.example')
    const cacao = await authMethod({ uri: key.did, resources: ['ceramic://*'], nonce: 'ceramic123' })
    // Ceramic keeps the account lowercase in iss and signs the EIP-55 message.
    expect(cacao.p.iss).toBe(`did:pkh:eip155:1:${w.address}`)
    expect(cacao.p.aud).toBe(key.did)
    const capability = await verifyCacao(cacao, { domain: 'dapp.example', audience: key.did })
    expect(capability.account).toBe(`eip155:1:${checksummed(w.address)}`)

    const token = await sessionToken(key, cacao)
    const verified = await verifySessionToken(token, {
      domain: 'dapp.example',
      resources: ['ceramic://kjzl6stream'],
    })
    expect(verified.address).toBe(checksummed(w.address))
    expect(verified.sessionKey).toBe(key.did)
    // …and one Ceramic made for another key is refused for this key's token.
    const other = await createSessionKey()
    await expect(
      verifySessionToken(await sessionToken(other, cacao), { domain: 'dapp.example' }),
    ).rejects.toMatchObject({
      code: 'CAPABILITY_AUDIENCE_MISMATCH',
    })
  })
})
