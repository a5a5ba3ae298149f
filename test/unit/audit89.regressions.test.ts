// Items of issues 8 and 9 that no test on main covered in the words of the issue (audit).
import { describe, expect, it } from 'vitest'
import {
  type AuthMethod,
  createSessionClient,
  memoryKeyStore,
  memoryStorage,
  type SessionError,
  type StorageAdapter,
} from '../../src/index.js'
import { simulatedEnvironment } from '../../src/testing/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { simulatedOrigin } from '../kit/origin.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'
import { testClient } from '../kit/testClient.js'
import { tokenService } from '../kit/tokenService.js'

describe('audit of issues 8 and 9', () => {
  it('issue 9 #2: a JWT with exp only, from a server whose clock is ten minutes behind, gets a handful of refreshes a minute and an errors$ report', async () => {
    const env = simulatedEnvironment()
    const server = () => env.now() - 600_000
    let refreshes = 0
    const issue = () => {
      const exp = Math.floor(server() / 1000) + 300
      return { accessToken: fakeJwt({ sub: 'ada', exp }), refreshToken: `rt-${refreshes}` }
    }
    const method: AuthMethod<undefined> = {
      id: 'exp-only',
      signIn: async () => issue(),
      refresh: async () => {
        refreshes++
        return issue()
      },
    }
    const { client } = testClient({ environment: env, methods: [method] })
    const errors: SessionError[] = []
    client.errors$.subscribe((e) => errors.push(e))
    await client.signIn().catch(() => undefined)
    await env.advance(500)
    expect(refreshes).toBeLessThanOrEqual(2)
    await env.advance(59_500)
    expect(refreshes).toBeLessThanOrEqual(8)
    expect(errors.length).toBeGreaterThanOrEqual(1)
    const before = refreshes
    await env.advance(60_000)
    expect(refreshes - before).toBeLessThanOrEqual(3)
  })

  it('issue 9 #6: after one slot’s slow first read (past storageTimeoutMs), sign-out still clears the real slot, so a reload is signed out', async () => {
    const env = simulatedEnvironment()
    const main = memoryStorage()
    const ids = memoryStorage()
    let slow = false
    const idSlot: StorageAdapter = {
      get: async (key) => {
        if (slow) await new Promise<void>((resolve) => env.setTimeout(resolve, 5_000))
        return ids.get(key)
      },
      set: async (key, value) => ids.set(key, value),
      remove: async (key) => ids.remove(key),
    }
    const storage = { default: main, idToken: idSlot }
    const method = scriptedMethod({ now: () => env.now() }).method
    const make = () =>
      createSessionClient({
        appId: 'slow-slot',
        methods: [method],
        storage,
        sync: false,
        keyStore: memoryKeyStore(),
        environment: env,
        storageTimeoutMs: 1_000,
      })
    const first = make()
    await first.ready()
    await first.signIn()
    await env.settle()
    first.destroy()
    // A reload now would come up with page 1's session: what page 2's sign-out must clear.
    const probe = make()
    await probe.ready()
    expect(probe.getStatus()).toBe('active')
    probe.destroy()

    slow = true
    const second = make()
    const errors: SessionError[] = []
    second.errors$.subscribe((e) => errors.push(e))
    await env.advance(1_001) // the slot's read times out: the client falls back to memory
    expect(errors.map((e) => e.code)).toContain('TIMEOUT')
    await second.ready()
    await second.signIn()
    const out = second.signOut()
    await env.advance(10_000)
    await out
    second.destroy()

    slow = false
    const third = make()
    const ready3 = third.ready()
    await env.advance(1_000)
    await ready3
    expect(third.getStatus()).toBe('signedOut')
    third.destroy()
  })

  it('issue 8 #1: crossing sign-ins of the same user converge, each signIn() resolves with its own session, no live key is deleted', async () => {
    const origin = simulatedOrigin()
    const a = origin.tab()
    const b = origin.tab()
    const [one, two] = await Promise.all([a.signIn({ subject: 'ada' }), b.signIn({ subject: 'ada' })])
    expect(one.id).not.toBe(two.id)
    origin.bus.deliverAll()
    await origin.env.settle()
    const held = a.getSession()
    expect(held).not.toBeNull()
    expect(b.getSession()?.id).toBe(held?.id)
    const keyId = a.actor.getSnapshot().context.record?.keyId as string
    expect(origin.keys.live()).toEqual([keyId])
    await expect(a.getIdToken()).resolves.toMatch(/^ey/)
    await expect(b.getIdToken()).resolves.toMatch(/^ey/)
  })

  it('issue 8 (the machine decides): destroy() rejects a signIn() still waiting on the machine with DESTROYED', async () => {
    const env = simulatedEnvironment()
    const { client, state } = testClient({ environment: env })
    state.signInDelayMs = 10_000
    const pending = client.signIn().catch((e: unknown) => e)
    await env.advance(10)
    client.destroy()
    expect(await pending).toMatchObject({ code: 'DESTROYED' })
  })

  it('issue 8: the token server sees no reuse when a refresh is slower than refreshTimeoutMs and its method ignores the abort', async () => {
    const env = simulatedEnvironment()
    const service = tokenService({ now: () => env.now(), lifetimeSeconds: 300 })
    const { client, state } = testClient({ environment: env }, { service })
    await client.signIn()
    state.refreshAbortable = false
    state.refreshDelayMs = 20_000
    const refreshed = client.refresh().catch((e: unknown) => e)
    await env.advance(20_000)
    await refreshed
    state.refreshDelayMs = 0
    await env.advance(120_000)
    await client.refresh().catch(() => undefined)
    expect(service.counters.reuseDetections).toBe(0)
    expect(client.getStatus()).toBe('active')
  })

  it('issue 9 #8: signOut({ redirect: true }) with a slow logout URL clears local state at once, then the redirect follows', async () => {
    const env = simulatedEnvironment()
    const storage = memoryStorage()
    const navigated: string[] = []
    const base = scriptedMethod({ now: () => env.now() })
    const method: AuthMethod<undefined> = {
      ...base.method,
      id: 'slow-discovery',
      endSessionUrl: () =>
        new Promise<string | null>((resolve) =>
          env.setTimeout(() => resolve('https://op.example/logout'), 2_000),
        ),
    }
    const { client } = testClient({
      appId: 'slow-out',
      environment: env,
      methods: [method],
      storage,
      navigate: (url) => navigated.push(url),
      signOutTimeoutMs: 5_000,
    })
    await client.signIn()
    expect(storage.get('tessera:slow-out:refresh_token')).not.toBeNull()
    const signingOut = client.signOut({ redirect: true })
    expect(client.getStatus()).toBe('signedOut')
    expect(storage.get('tessera:slow-out:refresh_token')).toBeNull()
    expect(navigated).toEqual([])
    await env.advance(2_000)
    await signingOut
    expect(navigated).toEqual(['https://op.example/logout'])
  })
})
