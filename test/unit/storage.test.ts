import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createSessionClient,
  memoryStorage,
  type SessionError,
  type StorageAdapter,
} from '../../src/index.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'
import { holdsNoSession, storedToken } from '../kit/storedToken.js'
import { destroyedWithTest } from '../kit/testClient.js'

/** Wraps a sync storage so every call answers asynchronously, like IndexedDB. */
function asyncStorage(inner: StorageAdapter, delayMs = 5): StorageAdapter {
  const later = <T>(f: () => T) => new Promise<T>((resolve) => setTimeout(() => resolve(f()), delayMs))
  return {
    get: (k) => later(() => inner.get(k) as string | null),
    set: (k, v) =>
      later(() => {
        inner.set(k, v)
      }),
    remove: (k) =>
      later(() => {
        inner.remove(k)
      }),
  }
}

describe('storage', () => {
  // Built here, not with testClient: what is under test is what each storage gives at construction.
  const make = (
    options: Partial<Parameters<typeof createSessionClient>[0]> & {
      storage: Parameters<typeof createSessionClient>[0]['storage']
    },
  ) =>
    destroyedWithTest(
      createSessionClient({
        appId: 'store',
        methods: [scriptedMethod().method],
        sync: false,
        ...options,
      }),
    )
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('with a sync storage the session is known on the first line after construction', async () => {
    const storage = memoryStorage()
    const first = make({ storage })
    const session = await first.signIn()
    first.destroy()
    const second = make({ storage })
    expect(second.getStatus()).toBe('active')
    expect(second.getSession()?.accessToken).toBe(session.accessToken)
  })

  it('with an async storage the client starts in restoring, then knows the session', async () => {
    const inner = memoryStorage()
    const first = make({ storage: inner })
    const session = await first.signIn()
    first.destroy()
    const second = make({ storage: asyncStorage(inner) })
    expect(second.getStatus()).toBe('restoring')
    expect(second.getSession()).toBeNull()
    await vi.advanceTimersByTimeAsync(10)
    await second.ready()
    expect(second.getStatus()).toBe('active')
    expect(second.getSession()?.accessToken).toBe(session.accessToken)
  })

  it('corrupt or unknown data starts signed out with an error on errors$ and never throws', () => {
    for (const raw of [
      '{not json',
      JSON.stringify({ v: 99, record: null }),
      JSON.stringify({ v: 1, record: { session: 5 } }),
    ]) {
      const storage = memoryStorage({ 'tessera:store:session': raw })
      const errors: SessionError[] = []
      const client = make({ storage })
      // Raised during construction, before anyone could subscribe: replayed to subscribers.
      client.errors$.subscribe((e) => errors.push(e))
      expect(client.getStatus()).toBe('signedOut')
      expect(errors.map((e) => e.code)).toEqual(['INVALID_SESSION'])
      // Unknown data is left in place: a newer tessera in another tab may own it.
      expect(storage.get('tessera:store:session')).toBe(raw)
    }
  })

  it('reports bad stored data on errors$ for subscribers that were there (async storage)', async () => {
    const storage = asyncStorage(memoryStorage({ 'tessera:store:session': '{"v":1,"record":{"x":1}}' }))
    const client = make({ storage })
    const errors: SessionError[] = []
    client.errors$.subscribe((e) => errors.push(e))
    await vi.advanceTimersByTimeAsync(10)
    await client.ready()
    expect(client.getStatus()).toBe('signedOut')
    expect(errors.map((e) => e.code)).toEqual(['INVALID_SESSION'])
  })

  it('a failed write keeps the session in memory and reports STORAGE', async () => {
    const inner = memoryStorage()
    const quota: StorageAdapter = {
      get: (k) => inner.get(k),
      set: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      },
      remove: (k) => inner.remove(k),
    }
    const client = make({ storage: quota })
    const errors: SessionError[] = []
    client.errors$.subscribe((e) => errors.push(e))
    const session = await client.signIn()
    expect(client.getSession()?.accessToken).toBe(session.accessToken)
    expect(errors.some((e) => e.code === 'STORAGE')).toBe(true)
    expect(JSON.stringify(errors.map((e) => e.message))).not.toContain(session.accessToken)
  })

  it('a hung async storage times out: the client starts signed out, falls back to memory and reports', async () => {
    const hung: StorageAdapter = {
      get: () => new Promise<string | null>(() => undefined),
      set: () => new Promise<void>(() => undefined),
      remove: () => new Promise<void>(() => undefined),
    }
    const client = make({ storage: hung, storageTimeoutMs: 1000 })
    const errors: SessionError[] = []
    client.errors$.subscribe((e) => errors.push(e))
    expect(client.getStatus()).toBe('restoring')
    await vi.advanceTimersByTimeAsync(1001)
    expect(client.getStatus()).toBe('signedOut')
    expect(errors.map((e) => e.code)).toContain('TIMEOUT')
    // The memory fallback works: signing in still succeeds and reads back synchronously.
    const session = await client.signIn()
    expect(client.getSession()?.id).toBe(session.id)
  })

  it('keeps each token kind in its own storage, namespaced by prefix and appId', async () => {
    const main = memoryStorage()
    const refresh = memoryStorage()
    const client = make({ storage: { default: main, refreshToken: refresh }, storageKeyPrefix: 'acme' })
    await client.signIn()
    expect(storedToken(refresh, 'acme:store:refresh_token')).toMatch(/^rt-/)
    expect(main.get('acme:store:refresh_token')).toBeNull()
    expect(main.get('acme:store:session')).not.toContain('rt-')
    await client.signOut()
    expect(refresh.get('acme:store:refresh_token')).toBeNull()
    expect(holdsNoSession(main, 'acme:store:session')).toBe(true)
  })
})
