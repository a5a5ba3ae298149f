// A session kit against the real OpenID provider: redirect sign-ins that leave the page and
// complete after a reload in the session that started them, two accounts side by side, and the
// sign-out of one revoking only its own grant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryKeyStore, memoryStorage, type SessionClient } from '../../src/index.js'
import { createSessionKit, type SessionKit } from '../../src/kit/index.js'
import { oidcMethod } from '../utils/oidcClient.js'
import { type OidcFixture, REDIRECT_URI, startOidcFixture } from '../utils/oidcFixture.js'
import { scriptedLogin } from '../utils/scriptedLogin.js'

let fixture: OidcFixture
beforeAll(async () => {
  fixture = await startOidcFixture({ accessTokenTtl: 30 })
})
afterAll(async () => {
  await fixture?.close()
})

/** One browser: its storage, keys and redirect storage outlive each page (kit). */
function browser() {
  const storage = memoryStorage()
  const keyStore = memoryKeyStore()
  const redirectStorage = memoryStorage()
  const navigated: string[] = []
  const kits: SessionKit[] = []
  const page = () => {
    const kit = createSessionKit({
      appId: 'kit-oidc',
      methods: [oidcMethod(fixture, { redirectStorage, accessEndpoint: fixture.op.accessEndpoint })],
      storage,
      keyStore,
      sync: false,
      navigate: (url) => navigated.push(url),
      detectRedirectCallback: false,
    })
    kits.push(kit)
    return kit
  }
  /** Starts an "add account" in a page, leaves for the provider, logs in, and comes back on a new page. */
  const addAccount = async (login: string) => {
    const before = navigated.length
    const leaving = page()
    void leaving.signIn({ extraParams: { prompt: 'login' } }).catch(() => undefined)
    for (let i = 0; i < 300 && navigated.length === before; i++) await new Promise((r) => setTimeout(r, 10))
    leaving.destroy() // the page is gone
    const callback = await scriptedLogin(navigated.at(-1) as string, { redirectUri: REDIRECT_URI, login })
    const back = page()
    const { id, session } = await back.handleRedirectCallback(callback)
    return { kit: back, id, session }
  }
  return {
    page,
    addAccount,
    destroy: () => {
      for (const k of kits) k.destroy()
    },
  }
}

const refreshTokenOf = (client: SessionClient | null) =>
  client?.actor.getSnapshot().context.record?.credentials.refreshToken as string

describe('a session kit with OpenID Connect', () => {
  it('completes each redirect in the session that started it, keeps two accounts, and signs out one alone', async () => {
    const b = browser()
    try {
      const ada = await b.addAccount('ada')
      expect(ada.session.subject).toBe('ada')
      const bob = await b.addAccount('bob')
      const kit = bob.kit
      expect(kit.getSessions().map((s) => [s.subject, s.status, s.active])).toEqual([
        ['ada', 'active', false],
        ['bob', 'active', true],
      ])
      expect(kit.client(ada.id)?.getSession()?.tokenType).toBe('DPoP')

      // Each session is its own device at the provider, with its own grant.
      const adaGrants = (await kit.client(ada.id)?.listAccess()) ?? []
      expect(adaGrants.filter((g) => g.isCaller)).toHaveLength(1)

      const bobToken = refreshTokenOf(kit.client(bob.id))
      const revocations = fixture.op.counters.revocations
      await kit.signOut(bob.id)
      expect(kit.getSessions().map((s) => s.subject)).toEqual(['ada'])
      await new Promise((r) => setTimeout(r, 200)) // the revocation runs after local state is gone
      expect(fixture.op.counters.revocations - revocations).toBe(1)
      const refused = await fetch(`${fixture.op.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: bobToken,
          client_id: fixture.op.clientId,
        }),
      })
      expect(refused.status).toBe(400)
      // ada's grant was left alone: she refreshes.
      expect(await kit.client(ada.id)?.refresh()).toEqual(expect.any(String))

      // The same account again replaces its own session.
      const again = await b.addAccount('ada')
      expect(again.kit.getSessions().map((s) => s.id)).toEqual([again.id])
    } finally {
      b.destroy()
    }
  })

  it('refuses a callback no session of the kit is waiting for', async () => {
    const b = browser()
    try {
      await expect(
        b.page().handleRedirectCallback(`${REDIRECT_URI}?code=abc&state=nobody-waits`),
      ).rejects.toMatchObject({ code: 'REDIRECT_STATE_MISMATCH' })
    } finally {
      b.destroy()
    }
  })
})
