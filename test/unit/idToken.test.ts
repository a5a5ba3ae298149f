import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { type AuthMethod, memoryKeyStore } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { testClient } from '../kit/testClient.js'

/** What a backend does with the token, using jose alone (the snippet in docs/keys.md). */
async function verifyOnBackend(idToken: string, expectedThumbprint: string) {
  const { payload, protectedHeader } = await jwtVerify(idToken, EmbeddedJWK, { algorithms: ['ES256'] })
  const thumbprint = await calculateJwkThumbprint(protectedHeader.jwk as never)
  const cnf = payload.cnf as { jkt?: string } | undefined
  if (thumbprint !== expectedThumbprint || cnf?.jkt !== thumbprint)
    throw new Error('not signed by the session key')
  return payload
}

describe('client.getIdToken()', () => {
  it('signs an ES256 JWT with the session key: sub, iat, exp, cnf and custom claims, verifiable with jose alone', async () => {
    const { client } = testClient({ methods: [] })
    const session = await client.setTokens({
      accessToken: fakeJwt({ sub: 'ada', exp: Math.floor(Date.now() / 1000) + 600 }),
    })
    expect(session.did).toMatch(/^did:key:zDn/)
    const token = await client.getIdToken({
      ttlSeconds: 120,
      customClaims: { aud: 'https://api.example', role: 'admin' },
    })
    expect(decodeProtectedHeader(token).alg).toBe('ES256')
    const payload = await verifyOnBackend(token, session.keyThumbprint as string)
    expect(payload.sub).toBe('ada')
    expect(payload.iss).toBe(session.did)
    expect(payload.role).toBe('admin')
    expect((payload.exp as number) - (payload.iat as number)).toBe(120)
    // A token from another session key does not pass.
    const other = testClient({ methods: [] }).client
    await other.setTokens({ accessToken: fakeJwt({ sub: 'ada', exp: Math.floor(Date.now() / 1000) + 600 }) })
    await expect(verifyOnBackend(await other.getIdToken(), session.keyThumbprint as string)).rejects.toThrow()
  })

  it("prefers the method's own getIdToken", async () => {
    const method: AuthMethod = {
      id: 'wallet',
      signIn: async () => ({
        accessToken: fakeJwt({ sub: '0xabc', exp: Math.floor(Date.now() / 1000) + 600 }),
      }),
      getIdToken: async (_credentials, options) => `method-token-${options.ttlSeconds}`,
    }
    const { client } = testClient({ methods: [method] })
    await client.signIn()
    expect(await client.getIdToken({ ttlSeconds: 60 })).toBe('method-token-60')
  })

  it('fails with NO_SESSION when signed out', async () => {
    const { client } = testClient({ methods: [] })
    await expect(client.getIdToken()).rejects.toMatchObject({ code: 'NO_SESSION' })
  })

  it('a new sign-in gets a new key, and sign-out deletes it', async () => {
    const deleted: string[] = []
    const inner = memoryKeyStore()
    const keyStore = {
      ...inner,
      delete: async (id: string) => {
        deleted.push(id)
        await inner.delete(id)
      },
    }
    const { client } = testClient({ methods: [], keyStore })
    const token = () => fakeJwt({ sub: 'ada', exp: Math.floor(Date.now() / 1000) + 600 })
    const a = await client.setTokens({ accessToken: token() })
    const b = await client.setTokens({ accessToken: token() })
    expect(a.keyThumbprint).not.toBe(b.keyThumbprint)
    await new Promise((r) => setTimeout(r, 10))
    expect(deleted).toHaveLength(1) // the replaced session's key
    await client.signOut()
    await new Promise((r) => setTimeout(r, 10))
    expect(deleted).toHaveLength(2)
    expect(await inner.get(deleted[0] as string)).toBeNull()
    expect(await inner.get(deleted[1] as string)).toBeNull()
    await expect(client.getIdToken()).rejects.toMatchObject({ code: 'NO_SESSION' })
  })
})

describe('client.hasSessionFor()', () => {
  it('matches subject or wallet address and the requested authorizations', async () => {
    const { client } = testClient({ methods: [] })
    const address = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
    expect(client.hasSessionFor(address)).toBe(false)
    await client.setTokens({
      accessToken: fakeJwt({
        sub: `did:pkh:eip155:1:${address.toLowerCase()}`,
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
      address,
      authorizations: ['ceramic://*', 'posts:write'],
    })
    expect(client.hasSessionFor(address.toLowerCase())).toBe(true)
    expect(client.hasSessionFor(`did:pkh:eip155:1:${address}`, { authorizations: ['posts:write'] })).toBe(
      true,
    )
    expect(client.hasSessionFor(address, { authorizations: ['admin'] })).toBe(false)
    expect(client.hasSessionFor('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359')).toBe(false)
    expect(client.authorizations).toEqual(['ceramic://*', 'posts:write'])
  })
})
