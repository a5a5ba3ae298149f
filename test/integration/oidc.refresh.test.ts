import * as oauth from 'oauth4webapi'
import { afterEach, describe, expect, it } from 'vitest'
import type { SessionClient } from '../../src/index.js'
import { makeOidcClient, signInThroughProvider } from '../utils/oidcClient.js'
import { type OidcFixture, startOidcFixture } from '../utils/oidcFixture.js'

/** Asks the provider for a refresh directly, with no DPoP key: how an attacker would replay a stolen token. */
async function rawRefresh(fixture: OidcFixture, refreshToken: string) {
  const issuer = new URL(fixture.op.issuer)
  const insecure = { [oauth.allowInsecureRequests]: true } as const
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure))
  const client = { client_id: fixture.op.clientId }
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, insecure)
  return oauth.processRefreshTokenResponse(as, client, response)
}

/** The refresh token the client holds, read from its serialized string (payload `{ record }`). */
async function storedRefreshToken(client: SessionClient): Promise<string> {
  const body = ((await client.serialize()) as string).split('.')[2] as string
  return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')).record.credentials.refreshToken
}

describe('OIDC refresh, rotation and revocation against oidc-provider', () => {
  let fixture: OidcFixture | undefined
  afterEach(async () => {
    await fixture?.close()
  })

  it('rotates the refresh token on every refresh and never reuses one', async () => {
    fixture = await startOidcFixture()
    const { client, navigated } = makeOidcClient(fixture)
    await signInThroughProvider(client, navigated)
    const seen = new Set<string>()
    const tokens = new Set<string>()
    for (let i = 0; i < 5; i++) {
      tokens.add(await client.refresh())
      const refreshToken = await storedRefreshToken(client)
      expect(seen.has(refreshToken)).toBe(false)
      seen.add(refreshToken)
    }
    expect(tokens.size).toBe(5)
    expect(fixture.op.counters.refreshCalls).toBe(5)
    expect(fixture.op.counters.refreshReuseDetections).toBe(0)
    expect((await client.fetch(fixture.api.url)).status).toBe(200)
  })

  it('the provider detects reuse of an old refresh token and kills the whole grant', async () => {
    fixture = await startOidcFixture()
    const { client, navigated } = makeOidcClient(fixture, { dpop: false })
    await signInThroughProvider(client, navigated)
    const old = await storedRefreshToken(client)
    await client.refresh()
    await expect(rawRefresh(fixture, old)).rejects.toMatchObject({ error: 'invalid_grant' })
    expect(fixture.op.counters.refreshReuseDetections).toBe(1)
    // The rotated token died with the grant: tessera reports the session expired.
    await expect(client.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(client.getStatus()).toBe('expired')
  })

  it('a DPoP-bound refresh token is useless without the key', async () => {
    fixture = await startOidcFixture()
    const { client, navigated } = makeOidcClient(fixture)
    await signInThroughProvider(client, navigated)
    const stolen = await storedRefreshToken(client)
    await expect(rawRefresh(fixture, stolen)).rejects.toBeInstanceOf(oauth.ResponseBodyError)
    // The legitimate holder still refreshes.
    await expect(client.refresh()).resolves.toEqual(expect.any(String))
  })

  it('sign-out revokes the refresh token at the revocation endpoint', async () => {
    fixture = await startOidcFixture()
    const { client, navigated } = makeOidcClient(fixture, { dpop: false })
    await signInThroughProvider(client, navigated)
    const refreshToken = await storedRefreshToken(client)
    await client.signOut()
    for (let i = 0; i < 100 && fixture.op.counters.revocations === 0; i++)
      await new Promise((r) => setTimeout(r, 20))
    expect(fixture.op.counters.revocations).toBe(1)
    await expect(rawRefresh(fixture, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('answers the provider demanding DPoP nonces (one retry per request)', async () => {
    fixture = await startOidcFixture({ providerNonce: true })
    const { client, navigated } = makeOidcClient(fixture)
    const { session } = await signInThroughProvider(client, navigated)
    expect(session.tokenType).toBe('DPoP')
    await expect(client.refresh()).resolves.toEqual(expect.any(String))
    expect(fixture.op.counters.refreshReuseDetections).toBe(0)
  })

  it('offers RP-initiated logout when asked', async () => {
    fixture = await startOidcFixture()
    const { client, navigated } = makeOidcClient(fixture)
    await signInThroughProvider(client, navigated)
    await client.signOut({ redirect: true })
    const logout = new URL(navigated.at(-1) as string)
    expect(logout.pathname).toBe('/session/end')
    expect(logout.searchParams.get('id_token_hint')).toBeTruthy()
    expect(logout.searchParams.get('client_id')).toBe(fixture.op.clientId)
    expect(client.getStatus()).toBe('signedOut')
  })
})
