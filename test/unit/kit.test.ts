// The session kit: several sessions at once, each a full client in its own namespace, and a
// registry that storage keeps and every tab shares.
import { firstValueFrom } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { type SessionClient, SessionError } from '../../src/index.js'
import { createSessionKit } from '../../src/kit/index.js'
import { kitOrigin } from '../kit/kitOrigin.js'

const statusesOf = (clients: Array<SessionClient | null>) => clients.map((c) => c?.getStatus() ?? null)

describe('a session kit in one tab', () => {
  it('adds a second account beside the first: two clients, two namespaces, two keys', async () => {
    const origin = kitOrigin()
    const kit = origin.tab()
    expect(kit.getSessions()).toEqual([])
    const ada = await kit.signIn({ subject: 'ada' })
    const bob = await kit.signIn({ subject: 'bob' })
    expect(ada.id).not.toBe(bob.id)
    expect(ada.client).not.toBe(bob.client)
    expect(kit.getSessions().map((s) => [s.subject, s.method, s.status, s.active])).toEqual([
      ['ada', 'pw', 'active', false],
      ['bob', 'pw', 'active', true],
    ])
    const [first] = kit.getSessions()
    expect(first?.id).toBe(ada.id)
    expect(first?.expiresAt).toBe(ada.session.expiresAt)
    expect(first?.lastUsedAt).toBe(Math.floor(origin.env.now() / 1000))
    expect(kit.getActive()).toBe(bob.client)
    expect(kit.client(ada.id)).toBe(ada.client)
    expect([...origin.namespaces().keys()].sort()).toEqual([ada.id, bob.id].sort())
    expect(origin.keys.live()).toHaveLength(2)
    expect(ada.session.keyThumbprint).not.toBe(bob.session.keyThumbprint)
    expect(origin.check()).toEqual([])
  })

  it('the same account again replaces its own session: the old grant is revoked and its key deleted', async () => {
    const origin = kitOrigin()
    const kit = origin.tab()
    const ada = await kit.signIn({ subject: 'ada' })
    const bob = await kit.signIn({ subject: 'bob' })
    const oldRefresh = ada.client.actor.getSnapshot().context.record?.credentials.refreshToken as string
    const oldKey = ada.client.actor.getSnapshot().context.record?.keyId as string
    const again = await kit.signIn({ subject: 'ada' })
    await origin.env.settle()
    expect(kit.getSessions().map((s) => s.subject)).toEqual(['bob', 'ada'])
    expect(kit.getSessions().map((s) => s.id)).toEqual([bob.id, again.id])
    expect(kit.client(ada.id)).toBeNull()
    expect(origin.service.isAlive(oldRefresh)).toBe(false)
    expect(origin.keys.live()).not.toContain(oldKey)
    expect(bob.client.getStatus()).toBe('active')
    expect(kit.getActive()).toBe(again.client)
    expect(origin.check()).toEqual([])
  })

  it('use() switches this tab, active$ follows, and restore() finds by id, by subject or the most recently used', async () => {
    const origin = kitOrigin()
    const kit = origin.tab()
    const ada = await kit.signIn({ subject: 'ada' })
    await origin.env.advance(1000)
    const bob = await kit.signIn({ subject: 'bob' })
    const seen: Array<SessionClient | null> = []
    const sub = kit.active$.subscribe((c) => seen.push(c))
    await origin.env.advance(1000)
    expect(kit.use(ada.id)).toBe(ada.client)
    expect(seen).toEqual([bob.client, ada.client])
    expect(kit.getSessions().find((s) => s.active)?.subject).toBe('ada')
    sub.unsubscribe()

    expect(await kit.restore()).toBe(ada.client) // ada was used last
    expect(await kit.restore({ subject: 'bob' })).toBe(bob.client)
    expect(kit.getActive()).toBe(bob.client)
    expect(await kit.restore({ id: ada.id })).toBe(ada.client)
    expect(await kit.restore({ subject: 'carol' })).toBeNull()
    expect(await kit.restore({ id: 'nope' })).toBeNull()
    expect(new Set(await kit.restoreAll())).toEqual(new Set([ada.client, bob.client]))
    expect(() => kit.use('nope')).toThrow(SessionError)
  })

  it('signOut(id) ends only that session: its grant revoked, its key deleted, the other untouched', async () => {
    const origin = kitOrigin()
    const kit = origin.tab()
    const ada = await kit.signIn({ subject: 'ada' })
    const bob = await kit.signIn({ subject: 'bob' })
    const adaRefresh = ada.client.actor.getSnapshot().context.record?.credentials.refreshToken as string
    const bobRefresh = bob.client.actor.getSnapshot().context.record?.credentials.refreshToken as string
    const bobKey = bob.client.actor.getSnapshot().context.record?.keyId as string
    await kit.signOut(bob.id)
    await origin.env.settle()
    expect(kit.getSessions().map((s) => s.subject)).toEqual(['ada'])
    expect(origin.service.isAlive(bobRefresh)).toBe(false)
    expect(origin.service.isAlive(adaRefresh)).toBe(true)
    expect(origin.keys.live()).toEqual([ada.client.actor.getSnapshot().context.record?.keyId])
    expect(origin.keys.live()).not.toContain(bobKey)
    expect(kit.getActive()).toBe(ada.client) // the active one went: the most recently used remains
    expect(origin.check()).toEqual([])

    await kit.signOut()
    await origin.env.settle()
    expect(kit.getSessions()).toEqual([])
    expect(kit.getActive()).toBeNull()
    expect(origin.service.isAlive(adaRefresh)).toBe(false)
    expect(origin.keys.live()).toEqual([])
    expect(origin.check()).toEqual([])
  })

  it('a failed sign-in leaves nothing behind: no entry, no stored data, no key', async () => {
    const origin = kitOrigin()
    const kit = origin.tab()
    await kit.signIn({ subject: 'ada' })
    await expect(kit.signIn({ subject: 'bob', fail: true })).rejects.toMatchObject({ code: 'SIGN_IN_FAILED' })
    await expect(kit.signIn(undefined, { method: 'nope' })).rejects.toMatchObject({
      code: 'METHOD_NOT_FOUND',
    })
    await origin.env.settle()
    expect(kit.getSessions().map((s) => s.subject)).toEqual(['ada'])
    expect(Object.keys(origin.storedRegistry().entries)).toHaveLength(1)
    expect(origin.keys.live()).toHaveLength(1)
    expect(origin.check()).toEqual([])
  })

  it('a page reload finds every session on the next line, the most recently used one active', async () => {
    const origin = kitOrigin()
    const kit = origin.tab()
    const ada = await kit.signIn({ subject: 'ada' })
    await origin.env.advance(1000)
    await kit.signIn({ subject: 'bob' })
    await origin.env.advance(1000)
    kit.use(ada.id)
    kit.destroy()

    const reloaded = origin.tab()
    expect(reloaded.getSessions().map((s) => [s.subject, s.status, s.active])).toEqual([
      ['ada', 'active', true],
      ['bob', 'active', false],
    ])
    expect(reloaded.getActive()?.getSession()?.subject).toBe('ada')
    expect(await firstValueFrom(reloaded.sessions$)).toBe(reloaded.getSessions())
  })

  it('drops an entry whose namespace lost its session, and clears what a long-removed session left', async () => {
    const origin = kitOrigin()
    const kit = origin.tab()
    const ada = await kit.signIn({ subject: 'ada' })
    const bob = await kit.signIn({ subject: 'bob' })
    await kit.signOut(bob.id)
    kit.destroy()
    // Someone cleared ada's namespace behind the kit's back (site data cleared in part).
    origin.storage.remove(`tessera:shop/${ada.id}:session`)
    origin.storage.remove(`tessera:shop/${ada.id}:refresh_token`)
    expect(origin.namespaces().has(bob.id)).toBe(true) // bob's sign-out marker
    await origin.env.advance(25 * 3600 * 1000)
    const reloaded = origin.tab()
    expect(reloaded.getSessions()).toEqual([])
    expect(origin.storedRegistry().entries).toEqual({})
    expect(origin.namespaces().has(bob.id)).toBe(false) // its tombstone expired: the marker went too
  })
})

describe('a session kit across tabs', () => {
  it('a session added in one tab appears in the others; one removed disappears and is signed out there', async () => {
    const origin = kitOrigin()
    const [a, b, c] = [origin.tab(), origin.tab(), origin.tab()]
    const ada = await a.signIn({ subject: 'ada' })
    const bob = await b.signIn({ subject: 'bob' })
    await origin.env.settle()
    for (const kit of [a, b, c]) expect(kit.getSessions().map((s) => s.subject)).toEqual(['ada', 'bob'])
    // Each tab shows what it chose (or last signed in); a tab that chose nothing follows the most recent.
    expect(a.getActive()?.getSession()?.subject).toBe('ada')
    expect(b.getActive()?.getSession()?.subject).toBe('bob')
    expect(c.getActive()?.getSession()?.subject).toBe('ada')

    await c.signOut(bob.id)
    await origin.env.settle()
    for (const kit of [a, b, c]) expect(kit.getSessions().map((s) => s.subject)).toEqual(['ada'])
    expect(b.getActive()?.getSession()?.subject).toBe('ada')
    expect(statusesOf([a.client(ada.id), b.client(ada.id), c.client(ada.id)])).toEqual([
      'active',
      'active',
      'active',
    ])
    expect(origin.check()).toEqual([])
  })

  it('a session signed out through its own client leaves the registry in every tab', async () => {
    const origin = kitOrigin()
    const [a, b] = [origin.tab(), origin.tab()]
    const ada = await a.signIn({ subject: 'ada' })
    await a.signIn({ subject: 'bob' })
    await origin.env.settle()
    await b.client(ada.id)?.signOut()
    await origin.env.settle()
    for (const kit of [a, b]) expect(kit.getSessions().map((s) => s.subject)).toEqual(['bob'])
    expect(origin.check()).toEqual([])
  })

  it('each session refreshes on its own schedule, once per window across three tabs', async () => {
    const origin = kitOrigin({ lifetimeSeconds: 120 })
    const tabs = [origin.tab(), origin.tab(), origin.tab()]
    const ada = await tabs[0]?.signIn({ subject: 'ada' })
    await origin.env.advance(30_000)
    const bob = await tabs[1]?.signIn({ subject: 'bob' })
    await origin.env.settle()
    const refreshTokenOf = (c: SessionClient | null | undefined) =>
      c?.actor.getSnapshot().context.record?.credentials.refreshToken
    const before = origin.service.counters.refreshCalls
    // ada's token (120 s, 60 s skew) refreshes at 60 s, bob's 30 s later.
    await origin.env.advance(35_000)
    expect(origin.service.counters.refreshCalls - before).toBe(1)
    await origin.env.advance(30_000)
    expect(origin.service.counters.refreshCalls - before).toBe(2)
    await origin.env.advance(60_000)
    expect(origin.service.counters.refreshCalls - before).toBe(4)
    expect(origin.service.counters.reuseDetections).toBe(0)
    for (const kit of tabs) {
      expect(new Set(kit.getSessions().map((s) => s.status))).toEqual(new Set(['active']))
      expect(refreshTokenOf(kit.client(ada?.id as string))).toBe(
        refreshTokenOf(tabs[0]?.client(ada?.id as string)),
      )
      expect(refreshTokenOf(kit.client(bob?.id as string))).toBe(
        refreshTokenOf(tabs[0]?.client(bob?.id as string)),
      )
    }
    expect(origin.check()).toEqual([])
  })

  it('revoking its own credential from a kit session signs out only that session, in every tab', async () => {
    const origin = kitOrigin()
    const [a, b] = [origin.tab(), origin.tab()]
    const ada = await a.signIn({ subject: 'ada' })
    await a.signIn({ subject: 'bob' })
    await origin.env.settle()
    const grants = (await b.client(ada.id)?.listAccess()) ?? []
    const own = grants.find((g) => g.isCaller)
    await b.client(ada.id)?.revokeAccess({ targetCredentialId: own?.credentialId as string })
    await origin.env.settle()
    for (const kit of [a, b]) expect(kit.getSessions().map((s) => s.subject)).toEqual(['bob'])
    expect(origin.check()).toEqual([])
  })

  it('runs without any sync and without storage news: a kit alone', async () => {
    const origin = kitOrigin()
    const kit = createSessionKit({
      appId: 'alone',
      methods: [origin.method],
      environment: origin.env,
      sync: false,
      storage: origin.storage,
      keyStore: origin.keys,
    })
    try {
      await kit.signIn({ subject: 'ada' })
      expect(kit.getSessions()).toHaveLength(1)
    } finally {
      kit.destroy()
    }
    expect(() => createSessionKit({ appId: '', methods: [] })).toThrow(SessionError)
  })
})

describe('a session kit on an asynchronous storage', () => {
  it('is ready once the registry was read, and finds its sessions again after a reload', async () => {
    const origin = kitOrigin()
    // IndexedDB-like: every call answers later.
    const slow = {
      get: async (key: string) => origin.storage.get(key),
      set: async (key: string, value: string) => origin.storage.set(key, value),
      remove: async (key: string) => origin.storage.remove(key),
    }
    const kit = origin.tab({ storage: slow })
    await kit.ready()
    const ada = await kit.signIn({ subject: 'ada' })
    await kit.signIn({ subject: 'bob' })
    kit.use(ada.id)
    await origin.env.settle()
    kit.destroy()

    const reloaded = origin.tab({ storage: slow })
    expect(reloaded.getSessions()).toEqual([]) // not read yet
    await reloaded.ready()
    expect(reloaded.getSessions().map((s) => s.subject)).toEqual(['ada', 'bob'])
    const clients = await reloaded.restoreAll()
    expect(clients.map((c) => c.getStatus())).toEqual(['active', 'active'])
    expect((await reloaded.restore())?.getSession()?.subject).toBe('ada')
    expect(origin.check([reloaded])).toEqual([])
  })
})
