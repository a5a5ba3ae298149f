import { afterEach, describe, expect, it } from 'vitest'
import { createDPoPProof } from '../../src/http/dpopProof.js'
import { createSessionKey } from '../../src/keys/createSessionKey.js'
import { makeOidcClient, signInThroughProvider } from '../utils/oidcClient.js'
import { type OidcFixture, startOidcFixture } from '../utils/oidcFixture.js'

describe('DPoP-bound tokens at the protected API', () => {
  let fixture: OidcFixture | undefined
  afterEach(async () => {
    await fixture?.close()
  })

  it('accepts the token only with a proof from the bound key; another key or plain Bearer is rejected', async () => {
    fixture = await startOidcFixture()
    const { client, navigated } = makeOidcClient(fixture)
    const { session } = await signInThroughProvider(client, navigated)
    expect((await client.fetch(fixture.api.url)).status).toBe(200)

    const stolen = session.accessToken
    const thief = await createSessionKey()
    const forged = await fetch(fixture.api.url, {
      headers: {
        authorization: `DPoP ${stolen}`,
        dpop: await createDPoPProof(thief, {
          method: 'GET',
          url: fixture.api.url,
          accessToken: stolen,
          now: Date.now(),
        }),
      },
    })
    expect(forged.status).toBe(401)
    const bearer = await fetch(fixture.api.url, { headers: { authorization: `Bearer ${stolen}` } })
    expect(bearer.status).toBe(401)
    const noProof = await fetch(fixture.api.url, { headers: { authorization: `DPoP ${stolen}` } })
    expect(noProof.status).toBe(401)
    expect(fixture.api.counters.accepted).toBe(1)
    expect(fixture.api.counters.rejected).toBe(3)
  })

  it('answers a resource server demanding DPoP nonces once, then reuses the nonce', async () => {
    fixture = await startOidcFixture({ apiNonce: true })
    const { client, navigated } = makeOidcClient(fixture)
    await signInThroughProvider(client, navigated)
    expect((await client.fetch(fixture.api.url)).status).toBe(200)
    expect(fixture.api.counters.nonceChallenges).toBe(1)
    expect((await client.fetch(`${fixture.api.url}orders`, { method: 'POST', body: '{}' })).status).toBe(200)
    expect(fixture.api.counters.nonceChallenges).toBe(1)
  })

  it('without DPoP the method gets Bearer tokens the API refuses (it requires DPoP)', async () => {
    fixture = await startOidcFixture()
    const { client, navigated } = makeOidcClient(fixture, { dpop: false })
    const { session } = await signInThroughProvider(client, navigated)
    expect(session.tokenType).toBe('Bearer')
    expect((await client.fetch(fixture.api.url)).status).toBe(401)
  })
})
