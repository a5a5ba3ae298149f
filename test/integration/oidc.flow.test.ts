import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessionClient, memoryStorage, type SessionClient } from '../../src/index.js'
import { oidc } from '../../src/oidc/index.js'
import { type OidcFixture, REDIRECT_URI, startOidcFixture } from '../utils/oidcFixture.js'
import { scriptedLogin } from '../utils/scriptedLogin.js'

const SCOPE = 'openid email offline_access api:read'

export async function signInThroughProvider(client: SessionClient, navigated: string[]) {
  const before = navigated.length
  const pending = client.signIn().catch((error: unknown) => error)
  for (let i = 0; i < 200 && navigated.length === before; i++) await new Promise((r) => setTimeout(r, 10))
  const callback = await scriptedLogin(navigated[navigated.length - 1] as string, {
    redirectUri: REDIRECT_URI,
  })
  const session = await client.handleRedirectCallback(callback)
  await pending
  return { session, callback }
}

describe('OpenID Connect against a real provider (oidc-provider on loopback)', () => {
  let fixture: OidcFixture
  const clients: SessionClient[] = []
  beforeAll(async () => {
    fixture = await startOidcFixture()
  })
  afterAll(async () => {
    for (const c of clients) c.destroy()
    await fixture.close()
  })

  const makeClient = (navigated: string[]) => {
    const client = createSessionClient({
      appId: 'oidc-flow',
      methods: [
        oidc({
          issuer: fixture.op.issuer,
          clientId: fixture.op.clientId,
          redirectUri: REDIRECT_URI,
          scope: SCOPE,
          allowInsecureLoopback: true,
          redirectStorage: memoryStorage(),
        }),
      ],
      storage: memoryStorage(),
      sync: false,
      navigate: (url) => navigated.push(url),
      apiOrigins: [new URL(fixture.api.url).origin],
    })
    clients.push(client)
    return client
  }

  it('runs the full code flow with PKCE and DPoP and builds the session from the validated ID token', async () => {
    const navigated: string[] = []
    const client = makeClient(navigated)
    const { session } = await signInThroughProvider(client, navigated)
    const authorize = new URL(navigated[0] as string)
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorize.searchParams.get('dpop_jkt')).toBe(session.keyThumbprint)
    expect(session.subject).toBe('ada')
    expect(session.email).toBe('ada@example.com')
    expect(session.method).toBe('oidc')
    expect(session.tokenType).toBe('DPoP')
    expect(session.claims?.iss).toBe(fixture.op.issuer)
    expect(session.claims?.aud).toBe(fixture.op.clientId)
    expect(fixture.op.counters.codeExchanges).toBeGreaterThan(0)

    const res = await client.fetch(fixture.api.url)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ ok: true, sub: 'ada' })
  })
})
