import { describe, expect, it } from 'vitest'
import { createSessionClient, indexedDbStorage, type SessionError } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { destroyedWithTest } from '../kit/testClient.js'

const token = (sub: string, lifetime = 300) => fakeJwt({ sub, exp: Math.floor(Date.now() / 1000) + lifetime })

const unique = (name: string) => `${name}-${crypto.randomUUID()}`

describe('indexedDbStorage in Chromium', () => {
  it('round-trips values through real IndexedDB, across adapter instances', async () => {
    const dbName = unique('rt')
    const a = indexedDbStorage({ dbName })
    await a.set('k', 'value ✓')
    expect(await indexedDbStorage({ dbName }).get('k')).toBe('value ✓')
    await a.remove('k')
    expect(await a.get('k')).toBeNull()
  })

  it('a client on IndexedDB starts in restoring, then knows the session; a reload restores it', async () => {
    const dbName = unique('client')
    const first = destroyedWithTest(
      createSessionClient({
        appId: 'idb',
        methods: [],
        storage: indexedDbStorage({ dbName }),
        sync: false,
      }),
    )
    expect(first.getStatus()).toBe('restoring')
    await first.ready()
    const session = await first.setTokens({ accessToken: token('ada') })
    await new Promise((r) => setTimeout(r, 50)) // let the async write land
    first.destroy()

    const reloaded = destroyedWithTest(
      createSessionClient({
        appId: 'idb',
        methods: [],
        storage: indexedDbStorage({ dbName }),
        sync: false,
      }),
    )
    expect(reloaded.getStatus()).toBe('restoring')
    expect(reloaded.getSession()).toBeNull()
    await reloaded.ready()
    expect(reloaded.getStatus()).toBe('active')
    expect(reloaded.getSession()?.accessToken).toBe(session.accessToken)
  })

  it('a hung open (a blocked delete ahead of it) times out instead of freezing the client', async () => {
    const dbName = unique('hang')
    // A connection that never yields to versionchange, and a delete queued behind it: every open waits.
    const holder = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(dbName, 1)
      req.onupgradeneeded = () => req.result.createObjectStore('kv')
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    indexedDB.deleteDatabase(dbName)
    try {
      const started = performance.now()
      const client = destroyedWithTest(
        createSessionClient({
          appId: 'hang',
          methods: [],
          storage: indexedDbStorage({ dbName, timeoutMs: 300 }),
          storageTimeoutMs: 500,
          sync: false,
        }),
      )
      const errors: SessionError[] = []
      client.errors$.subscribe((e) => errors.push(e))
      await client.ready()
      expect(performance.now() - started).toBeLessThan(5_000) // bounded, not forever
      expect(client.getStatus()).toBe('signedOut')
      expect(errors.some((e) => e.code === 'TIMEOUT' || e.code === 'STORAGE')).toBe(true)
      // The memory fallback keeps the page working.
      await client.setTokens({ accessToken: token('grace') })
      expect(client.getSession()?.subject).toBe('grace')
    } finally {
      holder.close()
    }
  })

  it('without IndexedDB (some private modes) the client falls back to memory and reports STORAGE', async () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true })
    try {
      const client = destroyedWithTest(
        createSessionClient({
          appId: 'noidb',
          methods: [],
          storage: indexedDbStorage({ dbName: unique('none') }),
          sync: false,
        }),
      )
      const errors: SessionError[] = []
      client.errors$.subscribe((e) => errors.push(e))
      await client.ready()
      expect(client.getStatus()).toBe('signedOut')
      expect(errors.map((e) => e.code)).toContain('STORAGE')
      await client.setTokens({ accessToken: token('private') })
      expect(client.getSession()?.subject).toBe('private')
    } finally {
      if (original) Object.defineProperty(globalThis, 'indexedDB', original)
    }
  })
})
