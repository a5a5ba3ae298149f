import { importJWK, jwtVerify, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createSessionKey } from '../../src/keys/createSessionKey.js'
import { didKeyFromP256 } from '../../src/keys/didKey.js'

describe('session key', () => {
  it('is non-extractable, signs ES256 verifiable by its public JWK, and has did:key and thumbprint', async () => {
    const key = await createSessionKey()
    await expect(crypto.subtle.exportKey('pkcs8', key.privateKey)).rejects.toThrow()
    expect(key.did).toMatch(/^did:key:zDn/)
    expect(key.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const jwt = await new SignJWT({ hello: 'world' })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(key.privateKey)
    const { payload } = await jwtVerify(jwt, await importJWK({ ...key.publicJwk, alg: 'ES256' }))
    expect(payload.hello).toBe('world')
  })

  it('encodes did:key like the spec test vector', () => {
    // did:key spec P-256 test vector (compressed key 0x03...), rebuilt from its uncompressed form.
    const x = Uint8Array.from(Buffer.from('igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns', 'base64url'))
    const y = Uint8Array.from(Buffer.from('efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM', 'base64url'))
    const point = Uint8Array.from([4, ...x, ...y])
    expect(didKeyFromP256(point)).toBe('did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv')
  })
})
