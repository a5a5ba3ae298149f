import { afterEach, describe, expect, it } from 'vitest'
import { cookieStorage, createSessionClient, encryptedStorage, webStorage } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { destroyedWithTest } from '../kit/testClient.js'

const token = (sub: string) => fakeJwt({ sub, exp: Math.floor(Date.now() / 1000) + 300 })

describe('cookie storage in Chromium', () => {
  afterEach(() => {
    const cookies = cookieStorage()
    for (const c of document.cookie.split('; ')) {
      const name = c.split('=')[0]
      if (name) cookies.remove(decodeURIComponent(name))
    }
  })

  it('round-trips values, including characters cookies cannot hold raw, and removes them', () => {
    const cookies = cookieStorage({ sameSite: 'Strict', maxAge: 3600 })
    cookies.set('tessera:app:refresh_token', 'a;b=c d,é')
    expect(cookies.get('tessera:app:refresh_token')).toBe('a;b=c d,é')
    expect(document.cookie).toContain(encodeURIComponent('tessera:app:refresh_token'))
    cookies.remove('tessera:app:refresh_token')
    expect(cookies.get('tessera:app:refresh_token')).toBeNull()
  })

  it('refuses a value larger than a cookie can hold with STORAGE', () => {
    expect(() => cookieStorage().set('big', 'x'.repeat(5000))).toThrowError(
      expect.objectContaining({ code: 'STORAGE' }),
    )
  })

  it('holds the refresh token while the rest stays in localStorage', async () => {
    const client = destroyedWithTest(
      createSessionClient({
        appId: 'split',
        methods: [
          {
            id: 'm',
            signIn: async () => ({ accessToken: token('ada'), refreshToken: 'rt-secret' }),
            refresh: async () => ({ accessToken: token('ada') }),
          },
        ],
        storage: { default: webStorage(localStorage), refreshToken: cookieStorage() },
        sync: false,
      }),
    )
    await client.signIn()
    expect(JSON.parse(cookieStorage().get('tessera:split:refresh_token') as string).value).toBe('rt-secret')
    expect(localStorage.getItem('tessera:split:session')).not.toContain('rt-secret')
    await client.signOut()
    expect(cookieStorage().get('tessera:split:refresh_token')).toBeNull()
  })
})

describe('encrypted storage in Chromium', () => {
  afterEach(() => {
    localStorage.clear()
  })

  it('leaves only ciphertext in localStorage and decrypts it back, also after a reload', async () => {
    const keyName = crypto.randomUUID()
    const secret = token('ada')
    const first = destroyedWithTest(
      createSessionClient({
        appId: 'enc',
        methods: [],
        storage: encryptedStorage(webStorage(localStorage), { keyName }),
        sync: false,
      }),
    )
    await first.ready()
    await first.setTokens({ accessToken: secret })
    await new Promise((r) => setTimeout(r, 50))
    const raw = localStorage.getItem('tessera:enc:session') as string
    expect(raw).toMatch(/^tsr-aesgcm\.v1\./)
    expect(raw).not.toContain(secret)
    expect(raw).not.toContain('ada')
    first.destroy()

    const reloaded = destroyedWithTest(
      createSessionClient({
        appId: 'enc',
        methods: [],
        storage: encryptedStorage(webStorage(localStorage), { keyName }),
        sync: false,
      }),
    )
    expect(reloaded.getStatus()).toBe('restoring')
    await reloaded.ready()
    expect(reloaded.getSession()?.accessToken).toBe(secret)
  })

  it('reads a tampered value as nothing, removes it, and starts signed out', async () => {
    const keyName = crypto.randomUUID()
    const storage = encryptedStorage(webStorage(localStorage), { keyName })
    await storage.set('tessera:tamper:session', JSON.stringify({ v: 1, record: null }))
    const raw = localStorage.getItem('tessera:tamper:session') as string
    const flipped = raw.slice(0, -6) + (raw.at(-6) === 'A' ? 'B' : 'A') + raw.slice(-5)
    localStorage.setItem('tessera:tamper:session', flipped)
    expect(await storage.get('tessera:tamper:session')).toBeNull()
    expect(localStorage.getItem('tessera:tamper:session')).toBeNull()
    // Moved under another name, a valid ciphertext does not decrypt either (the name is bound in).
    await storage.set('a', 'value')
    localStorage.setItem('b', localStorage.getItem('a') as string)
    expect(await storage.get('b')).toBeNull()
    expect(await storage.get('a')).toBe('value')
  })
})
