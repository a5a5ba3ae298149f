import { calculateJwkThumbprint, EmbeddedJWK, importJWK, jwtVerify, SignJWT } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { createSessionClient, indexedDbKeyStore, webStorage } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { destroyedWithTest } from '../kit/testClient.js'

const token = (sub: string) => fakeJwt({ sub, exp: Math.floor(Date.now() / 1000) + 300 })

describe('session keys in Chromium', () => {
  afterEach(() => {
    localStorage.clear()
  })

  it('are non-extractable CryptoKeys in IndexedDB that survive a reload and are deleted on demand', async () => {
    const dbName = `keys-${crypto.randomUUID()}`
    const store = indexedDbKeyStore({ dbName })
    const key = await store.create()
    await expect(crypto.subtle.exportKey('pkcs8', key.privateKey)).rejects.toThrow()
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow()
    expect(key.privateKey.extractable).toBe(false)

    const reloaded = await indexedDbKeyStore({ dbName }).get(key.id)
    expect(reloaded?.thumbprint).toBe(key.thumbprint)
    expect(reloaded?.did).toBe(key.did)
    const jwt = await new SignJWT({ ok: true })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(reloaded!.privateKey)
    await jwtVerify(jwt, await importJWK({ ...key.publicJwk, alg: 'ES256' }))

    await store.delete(key.id)
    expect(await indexedDbKeyStore({ dbName }).get(key.id)).toBeNull()
  })

  it('a portable key restored in the browser is kept in IndexedDB, non-extractable, and still signs', async () => {
    // Made extractable elsewhere (a server), as serialize({ includeKey: true }) carries it.
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair
    const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey)
    const dbName = `keys-${crypto.randomUUID()}`
    const imported = await indexedDbKeyStore({ dbName }).import?.('portable', jwk)
    expect(imported?.privateKey.extractable).toBe(false)
    expect(imported?.thumbprint).toBe(
      await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }),
    )
    const reloaded = await indexedDbKeyStore({ dbName }).get('portable')
    expect(reloaded?.did).toBe(imported?.did)
    await expect(crypto.subtle.exportKey('jwk', reloaded!.privateKey)).rejects.toThrow()
    const jwt = await new SignJWT({ ok: true })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(reloaded!.privateKey)
    await jwtVerify(jwt, await importJWK({ ...reloaded!.publicJwk, alg: 'ES256' }))
  })

  it('client.getIdToken() is an ES256 JWT from the session key, verified with jose alone', async () => {
    const client = destroyedWithTest(
      createSessionClient({
        appId: 'keys',
        methods: [],
        storage: webStorage(localStorage),
        sync: false,
      }),
    )
    const session = await client.setTokens({ accessToken: token('ada') })
    const idToken = await client.getIdToken({ ttlSeconds: 60, customClaims: { scope: 'orders' } })
    const { payload, protectedHeader } = await jwtVerify(idToken, EmbeddedJWK, { algorithms: ['ES256'] })
    expect(await calculateJwkThumbprint(protectedHeader.jwk!)).toBe(session.keyThumbprint)
    expect(payload).toMatchObject({
      sub: 'ada',
      iss: session.did,
      scope: 'orders',
      cnf: { jkt: session.keyThumbprint },
    })
  })

  it('the default key store keeps the key across a reload, and sign-out deletes it', async () => {
    const first = destroyedWithTest(
      createSessionClient({
        appId: 'reload',
        methods: [],
        storage: webStorage(localStorage),
        sync: false,
      }),
    )
    const session = await first.setTokens({ accessToken: token('ada') })
    first.destroy()
    const second = destroyedWithTest(
      createSessionClient({
        appId: 'reload',
        methods: [],
        storage: webStorage(localStorage),
        sync: false,
      }),
    )
    expect(second.getSession()?.keyThumbprint).toBe(session.keyThumbprint) // synchronous, first line
    const idToken = await second.getIdToken()
    const { protectedHeader } = await jwtVerify(idToken, EmbeddedJWK)
    expect(await calculateJwkThumbprint(protectedHeader.jwk!)).toBe(session.keyThumbprint)
    const keyId = JSON.parse(localStorage.getItem('tessera:reload:session') as string).record.keyId as string
    expect(await indexedDbKeyStore().get(keyId)).not.toBeNull()
    await second.signOut()
    await new Promise((r) => setTimeout(r, 100)) // the key is deleted after the background revocation
    expect(await indexedDbKeyStore().get(keyId)).toBeNull()
    // Only which session ended stays behind: no record, no token.
    expect(JSON.parse(localStorage.getItem('tessera:reload:session') as string).record).toBeNull()
    expect(localStorage.getItem('tessera:reload:session')).not.toContain(session.accessToken)
  })
})
