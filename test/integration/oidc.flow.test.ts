import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeOidcClient, signInThroughProvider } from '../utils/oidcClient.js'
import { type OidcFixture, startOidcFixture } from '../utils/oidcFixture.js'

describe('OpenID Connect against a real provider (oidc-provider on loopback)', () => {
  let fixture: OidcFixture
  beforeAll(async () => {
    fixture = await startOidcFixture()
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('runs the full code flow with PKCE and DPoP and builds the session from the validated ID token', async () => {
    const { client, navigated } = makeOidcClient(fixture)
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
