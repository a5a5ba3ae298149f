// Device access against the real OpenID provider: its access endpoint lists the account's grants
// from oidc-provider's own records and revokes one for real (the grant and its refresh token die).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SessionError } from '../../src/index.js'
import { makeOidcClient, signInThroughProvider } from '../utils/oidcClient.js'
import { type OidcFixture, startOidcFixture } from '../utils/oidcFixture.js'

let fixture: OidcFixture
beforeAll(async () => {
  fixture = await startOidcFixture({ accessTokenTtl: 30 })
})
afterAll(async () => {
  await fixture?.close()
})

/** A device of `login`: its own client, key and storage, and its own session at the provider. */
async function device() {
  const made = makeOidcClient(fixture, { accessEndpoint: fixture.op.accessEndpoint })
  await signInThroughProvider(made.client, made.navigated)
  return made.client
}

const code = async (work: Promise<unknown>) =>
  work.then(
    () => 'resolved',
    (e: unknown) => (e instanceof SessionError ? e.code : String(e)),
  )

describe('device access at the OpenID provider', () => {
  it('lists both devices of ada, one as the caller; revoking the other kills its refresh token at the provider', async () => {
    const laptop = await device()
    const phone = await device()
    try {
      const grants = await laptop.listAccess()
      expect(grants).toHaveLength(2)
      expect(grants.filter((g) => g.isCaller)).toHaveLength(1)
      for (const g of grants) {
        expect(g.expiresAt).toBeGreaterThan(Date.now() / 1000)
        expect(g.createdAt).toBeLessThanOrEqual(g.lastUsedAt as number)
        expect(g.label).toMatch(/node|undici/i) // the user agent that signed in
      }
      // The phone sees the same two, and itself as the caller.
      const fromPhone = await phone.listAccess()
      expect(fromPhone.map((g) => g.credentialId).sort()).toEqual(grants.map((g) => g.credentialId).sort())
      const phoneGrant = fromPhone.find((g) => g.isCaller)
      expect(grants.find((g) => !g.isCaller)?.credentialId).toBe(phoneGrant?.credentialId)

      const rejectionsBefore = fixture.op.counters.refreshRejections
      await laptop.revokeAccess({ targetCredentialId: phoneGrant?.credentialId as string })
      expect(laptop.getStatus()).toBe('active')
      expect((await laptop.listAccess()).map((g) => g.isCaller)).toEqual([true])

      const reasons: string[] = []
      phone.onSessionExpired((e) => reasons.push(e.reason))
      expect(await code(phone.refresh())).toBe('SESSION_EXPIRED')
      expect(phone.getStatus()).toBe('expired')
      expect(reasons).toEqual(['refresh_rejected'])
      expect(fixture.op.counters.refreshRejections - rejectionsBefore).toBe(1)
      // The laptop's own grant was left alone.
      expect(await code(laptop.refresh())).toBe('resolved')
    } finally {
      laptop.destroy()
      phone.destroy()
    }
  })

  it('pages 25 grants 10 at a time through listAccessPages, following the cursor lazily', async () => {
    const me = await device()
    const others = []
    try {
      // The account has ada's grants from the test above too; count what is there first.
      const start = (await me.listAccess()).length
      for (let i = start; i < 25; i++) others.push(await device())
      const listingsBefore = fixture.op.counters.accessListings
      const sizes: number[] = []
      for await (const page of me.listAccessPages({ pageSize: 10 })) sizes.push(page.grants.length)
      expect(sizes).toEqual([10, 10, 5])
      expect(fixture.op.counters.accessListings - listingsBefore).toBe(3)
      const all = await me.listAccess({ pageSize: 10 })
      expect(new Set(all.map((g) => g.credentialId)).size).toBe(25)
      expect(all.filter((g) => g.isCaller)).toHaveLength(1)
      for await (const _ of me.listAccessPages({ pageSize: 10 })) break
      expect(fixture.op.counters.accessListings - listingsBefore).toBe(7)
    } finally {
      me.destroy()
      for (const o of others) o.destroy()
    }
  }, 60_000)

  it('revoking its own credential signs this session out, and the provider refuses its refresh token', async () => {
    const me = await device()
    try {
      const refreshToken = me.actor.getSnapshot().context.record?.credentials.refreshToken as string
      const own = (await me.listAccess()).find((g) => g.isCaller)
      await me.revokeAccess({ targetCredentialId: own?.credentialId as string })
      expect(me.getStatus()).toBe('signedOut')
      // The token is dead at the provider: a raw refresh request with it is refused.
      const response = await fetch(`${fixture.op.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: fixture.op.clientId,
        }),
      })
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_grant')
    } finally {
      me.destroy()
    }
  })

  it('the endpoint wants the DPoP proof: the bare token is refused; an unknown credential is INVALID_PARAMS', async () => {
    const me = await device()
    try {
      const token = me.getSession()?.accessToken as string
      const bare = await fetch(`${fixture.op.accessEndpoint}?page_size=10`, {
        headers: { authorization: `DPoP ${token}` },
      })
      expect(bare.status).toBe(401)
      const asBearer = await fetch(`${fixture.op.accessEndpoint}?page_size=10`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(asBearer.status).toBe(401)
      expect(await code(me.revokeAccess({ targetCredentialId: 'no-such-grant' }))).toBe('INVALID_PARAMS')
    } finally {
      me.destroy()
    }
  })

  it('is NOT_SUPPORTED when the method was given no access endpoint', async () => {
    const made = makeOidcClient(fixture)
    try {
      await signInThroughProvider(made.client, made.navigated)
      expect(await code(made.client.listAccess())).toBe('NOT_SUPPORTED')
      expect(await code(made.client.revokeAccess({ targetCredentialId: 'x' }))).toBe('NOT_SUPPORTED')
    } finally {
      made.client.destroy()
    }
  })
})
