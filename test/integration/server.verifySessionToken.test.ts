/** tessera-session/server: verifySessionToken accepts a wallet session's token and refuses each forgery with its own code. */
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createSessionKey } from '../../src/keys/createSessionKey.js'
import { personalMessageHash, verifyCacao, verifySessionToken } from '../../src/server/index.js'
import { encodeRecap } from '../../src/wallet/index.js'
import { makeCapability, sessionToken } from '../utils/capabilities.js'
import { checksummed, testWallet } from '../utils/testWallet.js'

const domain = 'dapp.example'
const refusal = (code: string) => expect.objectContaining({ name: 'SessionError', code })

/** A hand-made session token (ES256, five minutes) for the forgeries: header jwk, issuer and signer chosen freely. */
function handSignedToken(
  claims: Record<string, unknown>,
  parts: { jwk: unknown; issuer: string; subject: string; signWith: CryptoKey },
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: parts.jwk as never })
    .setIssuer(parts.issuer)
    .setSubject(parts.subject)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(parts.signWith)
}

describe('verifySessionToken', () => {
  it('accepts a token signed by the session key its capability delegates to, and says for whom', async () => {
    const { cacao, key, wallet } = await makeCapability({ chainId: 137, resources: ['ceramic://*'] })
    const token = await sessionToken(key, cacao, { customClaims: { aud: 'https://api.example' } })
    const verified = await verifySessionToken(token, { domain, resources: ['ceramic://kjzl6abc'] })
    expect(verified.account).toBe(`eip155:137:${checksummed(wallet.address)}`)
    expect(verified.address).toBe(checksummed(wallet.address))
    expect(verified.chainId).toBe(137)
    expect(verified.sessionKey).toBe(key.did)
    expect(verified.delegate).toBe(key.did)
    expect(verified.resources).toEqual(['ceramic://*'])
    expect(verified.claims.aud).toBe('https://api.example')
    expect(verified.capability).toEqual(cacao)
  })

  it('personalMessageHash is the EIP-191 hash wallets sign', () => {
    // The value every Ethereum library gives for hashMessage('hello').
    expect(personalMessageHash('hello')).toBe(
      '0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750',
    )
  })

  it('refuses a token whose header key is not the key its iss names (TOKEN_SIGNATURE_INVALID)', async () => {
    const { cacao, key } = await makeCapability()
    const other = await createSessionKey()
    const forged = await handSignedToken(
      { cacao },
      { jwk: other.publicJwk, issuer: key.did, subject: cacao.p.iss, signWith: other.privateKey },
    )
    await expect(verifySessionToken(forged, { domain })).rejects.toThrow(refusal('TOKEN_SIGNATURE_INVALID'))
  })

  it("refuses a token signed by another key that claims the session key's jwk (TOKEN_SIGNATURE_INVALID)", async () => {
    const { cacao, key } = await makeCapability()
    const other = await generateKeyPair('ES256')
    const forged = await handSignedToken(
      { cacao },
      { jwk: key.publicJwk, issuer: key.did, subject: cacao.p.iss, signWith: other.privateKey },
    )
    await expect(verifySessionToken(forged, { domain })).rejects.toThrow(refusal('TOKEN_SIGNATURE_INVALID'))
  })

  it("refuses another key's token carrying this capability: a CACAO for another aud (CAPABILITY_AUDIENCE_MISMATCH)", async () => {
    const { cacao } = await makeCapability()
    const thief = await createSessionKey()
    const token = await sessionToken(thief, cacao)
    await expect(verifySessionToken(token, { domain })).rejects.toThrow(
      refusal('CAPABILITY_AUDIENCE_MISMATCH'),
    )
  })

  it('refuses a capability signed by another address than its iss (CAPABILITY_SIGNATURE_INVALID)', async () => {
    const { cacao, key } = await makeCapability({ signer: testWallet() })
    await expect(verifySessionToken(await sessionToken(key, cacao), { domain })).rejects.toThrow(
      refusal('CAPABILITY_SIGNATURE_INVALID'),
    )
  })

  it('refuses a capability whose statement was altered after signing (CAPABILITY_SIGNATURE_INVALID)', async () => {
    const { cacao, key } = await makeCapability({ statement: 'Read my posts.' })
    const tampered = { ...cacao, p: { ...cacao.p, statement: 'Delete my posts.' } }
    await expect(verifySessionToken(await sessionToken(key, tampered), { domain })).rejects.toThrow(
      refusal('CAPABILITY_SIGNATURE_INVALID'),
    )
  })

  it('refuses a capability whose resources were widened after signing (CAPABILITY_SIGNATURE_INVALID)', async () => {
    const { cacao, key } = await makeCapability({ resources: ['https://api.example/posts'] })
    const tampered = { ...cacao, p: { ...cacao.p, resources: ['https://api.example/*', 'ceramic://*'] } }
    await expect(
      verifySessionToken(await sessionToken(key, tampered), { domain, resources: ['ceramic://x'] }),
    ).rejects.toThrow(refusal('CAPABILITY_SIGNATURE_INVALID'))
  })

  it('refuses an expired capability (CAPABILITY_EXPIRED), allowing a small clock tolerance', async () => {
    const issuedAt = new Date('2026-03-01T10:00:00Z')
    const { cacao, key } = await makeCapability({ issuedAt, expiresAt: new Date('2026-03-01T10:10:00Z') })
    const token = await sessionToken(key, cacao, { now: new Date('2026-03-01T10:09:00Z'), ttlSeconds: 3600 })
    // 30 s past exp is within the default 60 s tolerance; 2 minutes past is not.
    await expect(
      verifySessionToken(token, { domain, now: Date.parse('2026-03-01T10:10:30Z') }),
    ).resolves.toBeDefined()
    await expect(
      verifySessionToken(token, { domain, now: Date.parse('2026-03-01T10:12:00Z') }),
    ).rejects.toThrow(refusal('CAPABILITY_EXPIRED'))
    await expect(
      verifySessionToken(token, {
        domain,
        now: Date.parse('2026-03-01T10:10:30Z'),
        clockToleranceSeconds: 0,
      }),
    ).rejects.toThrow(refusal('CAPABILITY_EXPIRED'))
  })

  it('refuses a capability issued in the future or not valid before a later time (CAPABILITY_NOT_YET_VALID)', async () => {
    const now = new Date('2026-03-01T10:00:00Z')
    const future = await makeCapability({ issuedAt: new Date('2026-03-01T11:00:00Z') })
    await expect(
      verifySessionToken(await sessionToken(future.key, future.cacao, { now }), { domain, now }),
    ).rejects.toThrow(refusal('CAPABILITY_NOT_YET_VALID'))
    const later = await makeCapability({ issuedAt: now, notBefore: new Date('2026-03-01T12:00:00Z') })
    await expect(
      verifySessionToken(await sessionToken(later.key, later.cacao, { now }), { domain, now }),
    ).rejects.toThrow(refusal('CAPABILITY_NOT_YET_VALID'))
  })

  it('refuses a capability signed for another domain (DOMAIN_MISMATCH)', async () => {
    const { cacao, key } = await makeCapability({ domain: 'evil.example' })
    await expect(verifySessionToken(await sessionToken(key, cacao), { domain })).rejects.toThrow(
      refusal('DOMAIN_MISMATCH'),
    )
    await expect(
      verifySessionToken(await sessionToken(key, cacao), { domain: [domain, 'evil.example'] }),
    ).resolves.toBeDefined()
  })

  it('refuses a request for a resource the capability does not grant (RESOURCE_NOT_GRANTED)', async () => {
    const { cacao, key } = await makeCapability({
      resources: ['https://api.example/posts', 'ceramic://*?model=m1'],
    })
    const token = await sessionToken(key, cacao)
    await expect(
      verifySessionToken(token, { domain, resources: ['https://api.example/posts'] }),
    ).resolves.toBeDefined()
    await expect(
      verifySessionToken(token, { domain, resources: ['https://api.example/admin'] }),
    ).rejects.toThrow(refusal('RESOURCE_NOT_GRANTED'))
    await expect(verifySessionToken(token, { domain, resources: ['ceramic://*?model=m2'] })).rejects.toThrow(
      refusal('RESOURCE_NOT_GRANTED'),
    )
  })

  it('refuses an expired token (TOKEN_EXPIRED) and a token speaking for another account (INVALID_TOKEN)', async () => {
    const { cacao, key } = await makeCapability()
    const old = await sessionToken(key, cacao, { now: new Date(Date.now() - 3600_000), ttlSeconds: 300 })
    await expect(verifySessionToken(old, { domain })).rejects.toThrow(refusal('TOKEN_EXPIRED'))
    const otherSub = await sessionToken(key, cacao, { subject: `did:pkh:eip155:1:${testWallet().address}` })
    await expect(verifySessionToken(otherSub, { domain })).rejects.toThrow(refusal('INVALID_TOKEN'))
  })

  it('refuses a token without a capability (INVALID_CAPABILITY), a malformed one (INVALID_CAPABILITY) and garbage (INVALID_TOKEN)', async () => {
    const { cacao, key } = await makeCapability()
    const bare = await handSignedToken(
      {},
      { jwk: key.publicJwk, issuer: key.did, subject: cacao.p.iss, signWith: key.privateKey },
    )
    await expect(verifySessionToken(bare, { domain })).rejects.toThrow(refusal('INVALID_CAPABILITY'))
    const broken = { ...cacao, h: { t: 'caip122' } }
    await expect(verifySessionToken(await sessionToken(key, broken), { domain })).rejects.toThrow(
      refusal('INVALID_CAPABILITY'),
    )
    await expect(verifySessionToken('not.a.jwt', { domain })).rejects.toThrow(refusal('INVALID_TOKEN'))
    const hs = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32))
    await expect(verifySessionToken(hs, { domain })).rejects.toThrow(refusal('INVALID_TOKEN'))
  })

  it('refuses a token whose cnf.jkt binds another key (TOKEN_SIGNATURE_INVALID)', async () => {
    const { cacao, key } = await makeCapability()
    const other = await generateKeyPair('ES256')
    const { calculateJwkThumbprint } = await import('jose')
    const jkt = await calculateJwkThumbprint(await exportJWK(other.publicKey))
    const token = await handSignedToken(
      { cacao, cnf: { jkt } },
      { jwk: key.publicJwk, issuer: key.did, subject: cacao.p.iss, signWith: key.privateKey },
    )
    await expect(verifySessionToken(token, { domain })).rejects.toThrow(refusal('TOKEN_SIGNATURE_INVALID'))
  })

  it('checks a contract wallet through the injected hook: refused when it says no, accepted when it says yes', async () => {
    const { cacao, key, message } = await makeCapability()
    // An EIP-6492-style wrapped signature: longer than 65 bytes, so no EOA recovery applies.
    const contractSignature = `0x${'ab'.repeat(200)}6492649264926492649264926492649264926492649264926492649264926492`
    const contract = { ...cacao, s: { t: 'eip1271' as const, s: contractSignature } }
    const token = await sessionToken(key, contract)
    const calls: unknown[][] = []
    const no = async (...args: unknown[]) => {
      calls.push(args)
      return false
    }
    await expect(verifySessionToken(token, { domain, verifyContractSignature: no })).rejects.toThrow(
      refusal('CAPABILITY_SIGNATURE_INVALID'),
    )
    expect(calls).toEqual([
      [
        checksummed(cacao.p.iss.split(':')[4] as string),
        personalMessageHash(message),
        contractSignature,
        { chainId: 1, message },
      ],
    ])
    await expect(
      verifySessionToken(token, { domain, verifyContractSignature: () => true }),
    ).resolves.toMatchObject({
      account: `eip155:1:${checksummed(cacao.p.iss.split(':')[4] as string)}`,
    })
    // Without a hook a contract-wallet signature cannot be checked: refused.
    await expect(verifySessionToken(token, { domain })).rejects.toThrow(
      refusal('CAPABILITY_SIGNATURE_INVALID'),
    )
    // A hook that fails is a network problem, not a verdict.
    await expect(
      verifySessionToken(token, {
        domain,
        verifyContractSignature: () => {
          throw new Error('RPC down')
        },
      }),
    ).rejects.toThrow(refusal('NETWORK'))
  })

  it('checks that a ReCap statement describes the ReCap the wallet signed (INVALID_CAPABILITY otherwise)', async () => {
    const recap = { att: { 'https://api.example/posts': { 'crud/read': [{}] } }, prf: [] }
    const honest = await makeCapability({ resources: [], recap })
    const token = await sessionToken(honest.key, honest.cacao)
    await expect(
      verifySessionToken(token, { domain, resources: [encodeRecap(recap)] }),
    ).resolves.toBeDefined()
    const wider = encodeRecap({
      att: { 'https://api.example/posts': { 'crud/read': [{}], 'crud/delete': [{}] } },
      prf: [],
    })
    await expect(verifySessionToken(token, { domain, resources: [wider] })).rejects.toThrow(
      refusal('RESOURCE_NOT_GRANTED'),
    )
    // A wallet that signs a ReCap whose statement says something else: the user did not consent to it.
    const w = testWallet()
    const lying = await makeCapability({ wallet: w, resources: [], statement: 'Read only.' })
    const smuggled = await makeCapability({
      wallet: w,
      key: lying.key,
      resources: [encodeRecap({ att: { 'https://api.example/posts': { 'crud/delete': [{}] } }, prf: [] })],
      statement: 'Read only.',
    })
    await expect(verifyCacao(smuggled.cacao, { domain })).rejects.toThrow(refusal('INVALID_CAPABILITY'))
  })
})
