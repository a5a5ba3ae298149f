import { decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type KeyStore, memoryKeyStore } from '../../src/index.js'
import { destroyedWithTest, testClient } from '../kit/testClient.js'

/** The payload of a serialized string (`tessera.vN.<body>.<seal>`). */
const payloadOf = (text: string) =>
  JSON.parse(Buffer.from(text.split('.')[2] as string, 'base64url').toString('utf8'))

/** FNV-1a as v1 strings used it: anyone can recompute it. */
function fnv(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(36)
}

/**
 * What an attacker does with a session string: edit the payload (subject `admin`, ten more years),
 * re-encode it, and seal it every way they can without the key.
 */
function forgeries(text: string): string[] {
  const [p1, p2, body, seal] = text.split('.') as [string, string, string, string]
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  const record = payload.record ?? payload
  const tenYears = 10 * 365 * 24 * 3600
  record.session.subject = 'admin'
  record.session.expiresAt += tenYears
  record.credentials.subject = 'admin'
  record.credentials.expiresAt = record.session.expiresAt
  const forged = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return [fnv(forged), `~${fnv(forged)}`, '-', seal].map((s) => `${p1}.${p2}.${forged}.${s}`)
}

describe('serialize() / restore()', () => {
  let keyStore: KeyStore
  const make = (options: { keyStore?: KeyStore | false; appId?: string } = {}) =>
    testClient({ appId: options.appId ?? 'ser', keyStore: options.keyStore ?? keyStore }).client
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') })
    keyStore = memoryKeyStore()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('round-trips a session into another client of the same key store, refresh token included', async () => {
    const a = make()
    const session = await a.signIn()
    const text = (await a.serialize()) as string
    expect(text).toMatch(/^tessera\.v2\./)
    expect(payloadOf(text).record.credentials.refreshToken).toMatch(/^rt-/)
    const b = make()
    const restored = await b.restore(text)
    expect(restored).toEqual(session)
    expect(b.getSession()?.accessToken).toBe(session.accessToken)
    expect(payloadOf((await b.serialize()) as string)).toEqual(payloadOf(text))
  })

  it('returns null when signed out', async () => {
    expect(await make().serialize()).toBeNull()
  })

  it('rejects tampered, truncated, foreign or other-version strings with INVALID_SESSION', async () => {
    const a = make()
    await a.signIn()
    const text = (await a.serialize()) as string
    const body = text.split('.')[2] as string
    const flipped = body.slice(0, 10) + (body[10] === 'A' ? 'B' : 'A') + body.slice(11)
    const b = make()
    for (const bad of [
      text.replace(body, flipped),
      text.slice(0, -3),
      `tessera.v3.${text.slice('tessera.v2.'.length)}`,
      `tessera.v1.${text.slice('tessera.v2.'.length)}`,
      'hello',
      '',
      `tessera.v2.${Buffer.from('{"session":1}').toString('base64url')}.x`,
    ]) {
      await expect(b.restore(bad)).rejects.toMatchObject({ code: 'INVALID_SESSION' })
    }
    expect(b.getStatus()).toBe('signedOut')
  })

  it('refuses a string edited to subject admin with ten more years, so the key never signs it (issue 9, item 10)', async () => {
    const a = make()
    await a.signIn()
    const text = (await a.serialize()) as string
    const b = make() // same key store: the real key is right here
    for (const forged of forgeries(text)) {
      await expect(b.restore(forged)).rejects.toMatchObject({ code: 'INVALID_SESSION' })
    }
    expect(b.getStatus()).toBe('signedOut')
    await expect(b.getIdToken()).rejects.toMatchObject({ code: 'NO_SESSION' })
    // The genuine string still restores, and signs for the genuine subject.
    await b.restore(text)
    expect(decodeJwt(await b.getIdToken()).sub).toBe('user-1')
  })

  it('a signed string whose key is neither here nor included is KEY_UNAVAILABLE: nothing could check it', async () => {
    const a = make()
    await a.signIn()
    const text = (await a.serialize()) as string
    const elsewhere = make({ keyStore: memoryKeyStore() })
    await expect(elsewhere.restore(text)).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE' })
  })

  it('without a session key the string is unsealed: no integrity boundary, and nothing signs for it', async () => {
    const a = make({ keyStore: false })
    await a.signIn()
    const text = (await a.serialize()) as string
    expect(text.split('.')[3]).toBe('-')
    const b = make({ keyStore: false })
    // An edit with a recomputed checksum goes through: this is what docs/keys.md warns about…
    const [p1, p2, body] = (forgeries(text)[0] as string).split('.')
    await expect(b.restore(`${p1}.${p2}.${body}.-`)).resolves.toMatchObject({ subject: 'admin' })
    // …but there is no key to sign anything with it.
    await expect(b.getIdToken()).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE' })
  })

  it('includeKey with a non-extractable key is KEY_NOT_EXTRACTABLE', async () => {
    const a = make()
    await a.signIn()
    await expect(a.serialize({ includeKey: true })).rejects.toMatchObject({ code: 'KEY_NOT_EXTRACTABLE' })
  })

  it('includeKey carries the private JWK; a fresh module instance restores it and signs with the same key', async () => {
    const a = make({ keyStore: memoryKeyStore({ extractable: true }) })
    const session = await a.signIn()
    const text = (await a.serialize({ includeKey: true })) as string
    const key = payloadOf(text).key
    expect(Object.keys(key).sort()).toEqual(['crv', 'd', 'kty', 'x', 'y'])

    vi.resetModules()
    const fresh = await import('../../src/index.js')
    // Built with the fresh instance's own createSessionClient: that is the point of this test.
    const b = destroyedWithTest(
      fresh.createSessionClient({
        appId: 'elsewhere',
        methods: [],
        storage: fresh.memoryStorage(),
        keyStore: fresh.memoryKeyStore({ extractable: true }),
        sync: false,
      }),
    )
    await b.restore(text)
    const token = await b.getIdToken()
    const { payload } = await jwtVerify(token, EmbeddedJWK, {
      algorithms: ['ES256'],
      currentDate: new Date(),
    })
    expect(payload.iss).toBe(session.did)
    expect(payload.sub).toBe('user-1')
    expect(decodeProtectedHeader(token).jwk).toEqual(expect.objectContaining({ x: key.x, y: key.y }))
    // The restored key stays portable (extractable store): it serializes again with its key.
    expect(payloadOf((await b.serialize({ includeKey: true })) as string).key.d).toBe(key.d)
  })

  it('an included key swapped for another one is refused: the session names its own key', async () => {
    const a = make({ keyStore: memoryKeyStore({ extractable: true }) })
    await a.signIn()
    const text = (await a.serialize({ includeKey: true })) as string
    const other = make({ keyStore: memoryKeyStore({ extractable: true }), appId: 'other' })
    await other.signIn()
    const otherText = (await other.serialize({ includeKey: true })) as string
    // The thief's key signs the victim's record, with the thief's key included.
    const victim = payloadOf(text)
    const swapped = { record: victim.record, key: payloadOf(otherText).key }
    const body = Buffer.from(JSON.stringify(swapped)).toString('base64url')
    const crypto = globalThis.crypto.subtle
    const thiefKey = await crypto.importKey(
      'jwk',
      swapped.key,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    )
    const sig = await crypto.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      thiefKey,
      new TextEncoder().encode(`tessera.v2.${body}`),
    )
    const forged = `tessera.v2.${body}.${Buffer.from(sig).toString('base64url')}`
    const b = make({ keyStore: memoryKeyStore({ extractable: true }), appId: 'b' })
    await expect(b.restore(forged)).rejects.toMatchObject({ code: 'INVALID_SESSION' })
  })

  it('a restored session that has already expired reports isExpired', async () => {
    const noRefresh = testClient({ appId: 'ser2', methods: [], keyStore }).client
    await noRefresh.setTokens({
      accessToken: 'opaque',
      subject: 'u',
      expiresAt: Math.floor(Date.now() / 1000) + 60,
    })
    const text = (await noRefresh.serialize()) as string
    vi.setSystemTime(Date.now() + 120_000)
    const later = testClient({ appId: 'ser3', methods: [], keyStore }).client
    await later.restore(text)
    expect(later.isExpired).toBe(true)
    expect(later.expiresInSecs).toBe(0)
    expect(later.getSession()).toBeNull()
    expect(later.getStatus()).toBe('expired')
  })
})
