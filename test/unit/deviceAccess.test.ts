// Device access (OMS's listAccess / listAccessPages / revokeAccess) through a method that offers
// it: three devices of one user, each its own storage and key, against one token service.
import { describe, expect, it } from 'vitest'
import { memoryKeyStore, memoryStorage, type SessionClient, SessionError } from '../../src/index.js'
import { memorySync, simulatedEnvironment } from '../../src/testing/index.js'
import { accessMethod } from '../kit/accessMethod.js'
import { testClient } from '../kit/testClient.js'
import { tokenService } from '../kit/tokenService.js'

function world() {
  const env = simulatedEnvironment({ now: Date.UTC(2026, 11, 1, 10) })
  const service = tokenService({ now: () => env.now(), lifetimeSeconds: 300 })
  const made = accessMethod({ service })
  /** One device: its own storage and key store (another browser). */
  const device = (extra: Parameters<typeof testClient>[0] = {}) =>
    testClient({ environment: env, methods: [made.method], ...extra }).client
  return { env, service, access: made.access, method: made.method, device }
}

const code = async (work: Promise<unknown>) => {
  try {
    await work
  } catch (error) {
    return error instanceof SessionError ? error.code : `not a SessionError: ${String(error)}`
  }
  return 'resolved'
}

describe('device access', () => {
  it('is NOT_SUPPORTED on a client whose methods offer none, and NO_SESSION when signed out', async () => {
    const { client } = testClient()
    await client.signIn()
    expect(await code(client.listAccess())).toBe('NOT_SUPPORTED')
    expect(await code(client.revokeAccess({ targetCredentialId: 'x' }))).toBe('NOT_SUPPORTED')
    const pages = client.listAccessPages()[Symbol.asyncIterator]()
    expect(await code(pages.next())).toBe('NOT_SUPPORTED')

    const w = world()
    const signedOut = w.device()
    expect(await code(signedOut.listAccess())).toBe('NO_SESSION')
    expect(await code(signedOut.revokeAccess({ targetCredentialId: 'x' }))).toBe('NO_SESSION')
  })

  it('lists every device of the account, with exactly one isCaller: the one whose key this browser holds', async () => {
    const w = world()
    const devices = [w.device(), w.device(), w.device()]
    for (const d of devices) await d.signIn({ subject: 'ada' })
    await w.device().signIn({ subject: 'bob' }) // another account: not listed
    for (const d of devices) {
      const grants = await d.listAccess()
      expect(grants).toHaveLength(3)
      const callers = grants.filter((g) => g.isCaller)
      expect(callers).toHaveLength(1)
      const own = w.service.grantsOf('ada').find((g) => g.jkt === d.getSession()?.keyThumbprint)
      expect(callers[0]?.credentialId).toBe(own?.id)
      for (const g of grants) {
        expect(g.expiresAt).toBeGreaterThan(w.env.now() / 1000)
        expect(typeof g.createdAt).toBe('number')
      }
    }
  })

  it('pages lazily: 25 grants with pageSize 10 come in 3 pages, and a break stops asking', async () => {
    const w = world()
    const me = w.device()
    await me.signIn({ subject: 'ada' })
    for (let i = 0; i < 24; i++) w.service.login('ada', { jkt: `other-device-${i}` })

    const sizes: number[] = []
    const cursors: Array<string | null> = []
    for await (const page of me.listAccessPages({ pageSize: 10 })) {
      sizes.push(page.grants.length)
      cursors.push(page.nextCursor)
    }
    expect(sizes).toEqual([10, 10, 5])
    expect(cursors).toEqual(['10', '20', null])
    expect(w.access.calls).toEqual([undefined, '10', '20'])
    expect((await me.listAccess({ pageSize: 10 })).filter((g) => g.isCaller)).toHaveLength(1)

    w.access.calls.length = 0
    for await (const page of me.listAccessPages({ pageSize: 10 })) {
      expect(page.grants).toHaveLength(10)
      break
    }
    expect(w.access.calls).toEqual([undefined])
  })

  it('refuses a bad page size with INVALID_PARAMS before asking the provider', async () => {
    const w = world()
    const me = w.device()
    await me.signIn({ subject: 'ada' })
    for (const pageSize of [0, -1, 1.5, 1001, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(await code(me.listAccess({ pageSize })), String(pageSize)).toBe('INVALID_PARAMS')
    }
    expect(await code(me.listAccess({ pageSize: '10' as unknown as number }))).toBe('INVALID_PARAMS')
    expect(w.access.calls).toEqual([])
    expect(await code(me.listAccess({ pageSize: 1000 }))).toBe('resolved')
  })

  it('ends with an error instead of spinning when the provider answers the same cursor again', async () => {
    const w = world()
    const me = w.device()
    await me.signIn({ subject: 'ada' })
    for (let i = 0; i < 30; i++) w.service.login('ada')
    w.access.loopCursor = true
    expect(await code(me.listAccess({ pageSize: 10 }))).toBe('INVALID_RESPONSE')
    // The first page, then the page at the cursor, which answered the same cursor: two calls.
    expect(w.access.calls).toEqual([undefined, '10'])
  })

  it('revoking another device makes its next refresh fail: it reaches expired with refresh_rejected', async () => {
    const w = world()
    const laptop = w.device()
    const phone = w.device()
    await laptop.signIn({ subject: 'ada' })
    await phone.signIn({ subject: 'ada' })
    const other = (await laptop.listAccess()).find((g) => !g.isCaller)
    expect(other).toBeDefined()
    await laptop.revokeAccess({ targetCredentialId: other?.credentialId as string })
    expect(w.access.revoked).toEqual([other?.credentialId])
    expect(laptop.getStatus()).toBe('active')

    const reasons: string[] = []
    phone.onSessionExpired((e) => reasons.push(e.reason))
    await w.env.advance(300_000)
    expect(phone.getStatus()).toBe('expired')
    expect(reasons).toEqual(['refresh_rejected'])
    // The caller's own credential was left alone: it refreshed and lives on.
    expect(laptop.getStatus()).toBe('active')
    expect((await laptop.listAccess()).map((g) => g.isCaller)).toEqual([true])
  })

  it('revoking its own credential signs this session out in every tab, after the provider confirmed', async () => {
    const w = world()
    const bus = memorySync()
    const storage = memoryStorage()
    const keyStore = memoryKeyStore()
    const tab = () => w.device({ appId: 'shop', sync: bus, storage, keyStore })
    const tabs: SessionClient[] = [tab(), tab(), tab()]
    await tabs[0]?.signIn({ subject: 'ada' })
    await w.env.settle()
    expect(tabs.map((t) => t.getStatus())).toEqual(['active', 'active', 'active'])
    const keyId = tabs[0]?.actor.getSnapshot().context.record?.keyId as string

    // Not listed first: revokeAccess finds out on its own that the credential is the caller's.
    const own = w.service.grantsOf('ada')[0]?.id as string
    const statusWhenRevoked: string[] = []
    const revoke = w.method.revokeAccess?.bind(w.method)
    w.method.revokeAccess = async (credentials, target, ctx) => {
      await revoke?.(credentials, target, ctx)
      statusWhenRevoked.push(tabs[1]?.getStatus() as string)
    }
    await tabs[1]?.revokeAccess({ targetCredentialId: own })
    await w.env.settle()
    expect(statusWhenRevoked).toEqual(['active'])
    expect(tabs.map((t) => t.getStatus())).toEqual(['signedOut', 'signedOut', 'signedOut'])
    expect(await keyStore.get(keyId)).toBeNull()
  })

  it('refuses an empty target with INVALID_PARAMS, and reports what the provider refused', async () => {
    const w = world()
    const me = w.device()
    await me.signIn({ subject: 'ada' })
    expect(await code(me.revokeAccess({ targetCredentialId: '' }))).toBe('INVALID_PARAMS')
    expect(await code(me.revokeAccess({} as { targetCredentialId: string }))).toBe('INVALID_PARAMS')
    expect(await code(me.revokeAccess({ targetCredentialId: 'nobody' }))).toBe('INVALID_PARAMS')
    expect(me.getStatus()).toBe('active')
  })

  it('refuses a malformed grant from the provider with INVALID_RESPONSE', async () => {
    const w = world()
    const me = w.device()
    await me.signIn({ subject: 'ada' })
    w.method.listAccess = async () => ({ grants: [{ credentialId: '', expiresAt: 1 }] })
    expect(await code(me.listAccess())).toBe('INVALID_RESPONSE')
    w.method.listAccess = async () => ({ grants: 'many' }) as never
    expect(await code(me.listAccess())).toBe('INVALID_RESPONSE')
  })
})
