import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeJwt } from '../kit/jwt.js'
import { loginAtProvider, makeOidcClient } from '../utils/oidcClient.js'
import { type OidcFixture, startOidcFixture } from '../utils/oidcFixture.js'

type Forge = (idToken: string, fixture: OidcFixture) => Promise<string>

/** A fetch that lets a test rewrite the ID token in the provider's token response. */
function forgingFetch(fixture: OidcFixture, forge: Forge): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init)
    const url = input instanceof Request ? input.url : String(input)
    if (!url.endsWith('/token') || !response.ok) return response
    const body = (await response.json()) as { id_token?: string }
    if (body.id_token) body.id_token = await forge(body.id_token, fixture)
    const headers = new Headers(response.headers)
    headers.delete('content-length')
    return new Response(JSON.stringify(body), { status: response.status, headers })
  }
}

/** Re-signs changed claims with the provider's own key: a provider that lies, not a broken signature. */
function resign(change: (claims: Record<string, unknown>) => void): Forge {
  return async (idToken, fixture) => {
    const header = decodeProtectedHeader(idToken)
    const claims = { ...decodeJwt(idToken) } as Record<string, unknown>
    change(claims)
    const jwk = fixture.op.signingKeys.keys.find((k) => k.kid === header.kid) as Record<string, unknown>
    const key = await importJWK(jwk as never, header.alg as string)
    return new SignJWT(claims)
      .setProtectedHeader({ alg: header.alg as string, kid: header.kid as string })
      .sign(key)
  }
}

describe('bad input fails with a clear code and leaves the client signed out', () => {
  let fixture: OidcFixture
  beforeAll(async () => {
    fixture = await startOidcFixture()
  })
  afterAll(async () => {
    await fixture.close()
  })

  const completeWith = async (forge: Forge | null, mutateCallback?: (url: URL) => void) => {
    const { client, navigated } = makeOidcClient(
      fixture,
      forge ? { fetch: forgingFetch(fixture, forge) } : {},
    )
    const { callback } = await loginAtProvider(client, navigated)
    mutateCallback?.(callback)
    const outcome = await client.handleRedirectCallback(callback).catch((error: unknown) => error)
    return { client, callback, outcome }
  }

  it('a wrong state: REDIRECT_STATE_MISMATCH', async () => {
    const { outcome, client } = await completeWith(null, (url) =>
      url.searchParams.set('state', 'forged-state'),
    )
    expect(outcome).toMatchObject({ code: 'REDIRECT_STATE_MISMATCH' })
    expect(client.getStatus()).toBe('signedOut')
  })

  it('a missing state: REDIRECT_STATE_MISMATCH', async () => {
    const { outcome } = await completeWith(null, (url) => url.searchParams.delete('state'))
    expect(outcome).toMatchObject({ code: 'REDIRECT_STATE_MISMATCH' })
  })

  it('a replayed callback URL: REDIRECT_STATE_MISMATCH, and the session from the first use survives', async () => {
    const { client, callback, outcome } = await completeWith(null)
    expect(outcome).toMatchObject({ subject: 'ada' })
    await expect(client.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'REDIRECT_STATE_MISMATCH',
    })
    expect(client.getStatus()).toBe('active')
  })

  it('a wrong nonce: INVALID_RESPONSE', async () => {
    const { outcome, client } = await completeWith(resign((c) => (c.nonce = 'not-the-nonce')))
    expect(outcome).toMatchObject({ code: 'INVALID_RESPONSE' })
    expect(client.getStatus()).toBe('signedOut')
  })

  it('an ID token for another audience: INVALID_RESPONSE', async () => {
    const { outcome } = await completeWith(resign((c) => (c.aud = 'someone-else')))
    expect(outcome).toMatchObject({ code: 'INVALID_RESPONSE' })
  })

  it('an expired ID token: INVALID_RESPONSE', async () => {
    const { outcome } = await completeWith(
      resign((c) => {
        c.iat = Math.floor(Date.now() / 1000) - 7200
        c.exp = Math.floor(Date.now() / 1000) - 3600
      }),
    )
    expect(outcome).toMatchObject({ code: 'INVALID_RESPONSE' })
  })

  it('an unsigned ID token (alg: none): INVALID_RESPONSE', async () => {
    const { outcome } = await completeWith(async (idToken) =>
      fakeJwt(decodeJwt(idToken), { header: { alg: 'none', typ: 'JWT' }, signature: '' }),
    )
    expect(outcome).toMatchObject({ code: 'INVALID_RESPONSE' })
  })

  it('a tampered signature: INVALID_RESPONSE', async () => {
    const { outcome } = await completeWith(async (idToken) => {
      const [h, p, s] = idToken.split('.') as [string, string, string]
      const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11)
      return `${h}.${p}.${flipped}`
    })
    expect(outcome).toMatchObject({ code: 'INVALID_RESPONSE' })
  })

  it('a tampered payload under the original signature: INVALID_RESPONSE', async () => {
    const { outcome } = await completeWith(async (idToken) => {
      const [h, , s] = idToken.split('.') as [string, string, string]
      const claims = { ...decodeJwt(idToken), sub: 'mallory' }
      return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`
    })
    expect(outcome).toMatchObject({ code: 'INVALID_RESPONSE' })
  })

  it('no message carries a token', async () => {
    const { outcome } = await completeWith(resign((c) => (c.nonce = 'x')))
    const text = `${(outcome as Error).message} ${String((outcome as Error).cause ?? '')}`
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}/)
  })
})
