/**
 * What a refresh answer must prove (issue 9, item 17): a new ID token is validated like the first
 * one (signature against the JWKS, iss, aud, exp) and names the same subject; a provider that
 * answers Bearer when DPoP was asked for is an error, at the code exchange and at refresh.
 * The provider is real; a fetch rewrites its token answers the way a hostile or broken provider
 * would, re-signing with the provider's own key where the test needs a valid signature.
 */
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RedirectRequest } from '../../src/authMethod.js'
import type { SessionExpiredEvent } from '../../src/index.js'
import { type Credentials, memoryStorage } from '../../src/index.js'
import { oidc } from '../../src/oidc/index.js'
import { testClient } from '../kit/testClient.js'
import { methodContext } from '../utils/methodContext.js'
import { type OidcFixture, REDIRECT_URI, startOidcFixture } from '../utils/oidcFixture.js'
import { scriptedLogin } from '../utils/scriptedLogin.js'

type TokenBody = { id_token?: string; token_type?: string; [k: string]: unknown }
type Rewrite = (body: TokenBody, fixture: OidcFixture) => Promise<void>

/** Rewrites the provider's token answers for one grant type while `rewrites[grant]` is set. */
function rewritingFetch(fixture: OidcFixture, rewrites: Partial<Record<string, Rewrite>>): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    const isToken = request.method === 'POST' && new URL(request.url).pathname.endsWith('/token')
    const grant = isToken ? new URLSearchParams(await request.clone().text()).get('grant_type') : null
    const response = await fetch(request)
    const rewrite = grant ? rewrites[grant] : undefined
    if (!rewrite || !response.ok) return response
    const body = (await response.json()) as TokenBody
    await rewrite(body, fixture)
    const headers = new Headers(response.headers)
    headers.delete('content-length')
    return new Response(JSON.stringify(body), { status: response.status, headers })
  }
}

/** Re-signs the ID token's changed claims with the provider's own key. */
function resignIdToken(change: (claims: Record<string, unknown>) => void): Rewrite {
  return async (body, fixture) => {
    const idToken = body.id_token as string
    const header = decodeProtectedHeader(idToken)
    const claims = { ...decodeJwt(idToken) } as Record<string, unknown>
    change(claims)
    const jwk = fixture.op.signingKeys.keys.find((k) => k.kid === header.kid) as Record<string, unknown>
    const key = await importJWK(jwk as never, header.alg as string)
    body.id_token = await new SignJWT(claims)
      .setProtectedHeader({ alg: header.alg as string, kid: header.kid as string })
      .sign(key)
  }
}

describe('an OIDC refresh answer is validated', () => {
  let fixture: OidcFixture
  beforeAll(async () => {
    fixture = await startOidcFixture()
  })
  afterAll(() => fixture.close())

  /** Signs in with the method alone; `rewrites` applies to the provider's later answers. */
  async function signedIn(rewrites: Partial<Record<string, Rewrite>> = {}) {
    const method = oidc({
      issuer: fixture.op.issuer,
      clientId: fixture.op.clientId,
      redirectUri: REDIRECT_URI,
      scope: 'openid email offline_access api:read',
      allowInsecureLoopback: true,
      redirectStorage: memoryStorage(),
    })
    const ctx = methodContext({ fetch: rewritingFetch(fixture, rewrites) })
    const redirect = (await method.signIn(undefined, ctx)) as RedirectRequest
    const callback = await scriptedLogin(String(redirect.url), { redirectUri: REDIRECT_URI })
    return { method, ctx, rewrites, callback }
  }

  async function completed(rewrites: Partial<Record<string, Rewrite>> = {}) {
    const run = await signedIn(rewrites)
    const credentials = (await run.method.completeRedirect?.(run.callback, run.ctx)) as Credentials
    expect(credentials.idToken).toBeTruthy()
    return { ...run, credentials }
  }

  it('an honest refresh returns a validated ID token for the same subject', async () => {
    const { method, ctx, credentials } = await completed()
    const next = await method.refresh?.(credentials, ctx)
    // oidc-provider issues a new ID token on refresh (identical bytes within the same second: RS256 is deterministic).
    expect(decodeJwt(next?.idToken as string).sub).toBe('ada')
    expect(next?.subject).toBe('ada')
    expect(next?.tokenType).toBe('DPoP')
  })

  it('a refreshed ID token for another subject (validly signed) is INVALID_RESPONSE', async () => {
    const { method, ctx, credentials, rewrites } = await completed()
    rewrites.refresh_token = resignIdToken((c) => (c.sub = 'mallory'))
    await expect(method.refresh?.(credentials, ctx)).rejects.toMatchObject({ code: 'INVALID_RESPONSE' })
  })

  it('a refreshed ID token with a broken signature is INVALID_RESPONSE', async () => {
    const { method, ctx, credentials, rewrites } = await completed()
    rewrites.refresh_token = async (body) => {
      const [h, p, s] = (body.id_token as string).split('.') as [string, string, string]
      body.id_token = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`
    }
    await expect(method.refresh?.(credentials, ctx)).rejects.toMatchObject({ code: 'INVALID_RESPONSE' })
  })

  it('a refreshed ID token whose payload was changed under the original signature is INVALID_RESPONSE', async () => {
    const { method, ctx, credentials, rewrites } = await completed()
    rewrites.refresh_token = async (body) => {
      const [h, , s] = (body.id_token as string).split('.') as [string, string, string]
      const claims = { ...decodeJwt(body.id_token as string), email: 'mallory@example.com' }
      body.id_token = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`
    }
    await expect(method.refresh?.(credentials, ctx)).rejects.toMatchObject({ code: 'INVALID_RESPONSE' })
  })

  it('a refreshed ID token from another issuer, for another audience, or expired is INVALID_RESPONSE', async () => {
    const changes: Array<(c: Record<string, unknown>) => void> = [
      (c) => (c.iss = 'https://evil.example.com'),
      (c) => (c.aud = 'someone-else'),
      (c) => {
        c.iat = Math.floor(Date.now() / 1000) - 7200
        c.exp = Math.floor(Date.now() / 1000) - 3600
      },
    ]
    for (const change of changes) {
      const { method, ctx, credentials, rewrites } = await completed()
      rewrites.refresh_token = resignIdToken(change)
      await expect(method.refresh?.(credentials, ctx)).rejects.toMatchObject({ code: 'INVALID_RESPONSE' })
    }
  })

  it('a refresh answered with token_type Bearer when DPoP was requested is INVALID_RESPONSE', async () => {
    const { method, ctx, credentials, rewrites } = await completed()
    expect(credentials.tokenType).toBe('DPoP')
    rewrites.refresh_token = async (body) => {
      body.token_type = 'Bearer'
    }
    await expect(method.refresh?.(credentials, ctx)).rejects.toMatchObject({ code: 'INVALID_RESPONSE' })
  })

  it('a code exchange answered with token_type Bearer when DPoP was requested is INVALID_RESPONSE', async () => {
    const { method, ctx, callback } = await signedIn({
      authorization_code: async (body) => {
        body.token_type = 'bearer'
      },
    })
    await expect(method.completeRedirect?.(callback, ctx)).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    })
  })

  it('through the client: a refresh that names another subject never becomes the session', async () => {
    const rewrites: Partial<Record<string, Rewrite>> = {}
    const navigated: string[] = []
    const { client } = testClient({
      methods: [
        oidc({
          issuer: fixture.op.issuer,
          clientId: fixture.op.clientId,
          redirectUri: REDIRECT_URI,
          scope: 'openid email offline_access api:read',
          allowInsecureLoopback: true,
          redirectStorage: memoryStorage(),
        }),
      ],
      navigate: (url) => navigated.push(url),
      fetch: rewritingFetch(fixture, rewrites),
    })
    const pending = client.signIn().catch(() => undefined)
    for (let i = 0; i < 300 && navigated.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    const callback = await scriptedLogin(navigated[0] as string, { redirectUri: REDIRECT_URI })
    const session = await client.handleRedirectCallback(callback)
    await pending
    rewrites.refresh_token = resignIdToken((c) => (c.sub = 'mallory'))
    // The provider already rotated the refresh token it was sent: the session ends (retrying
    // would be reuse), and it never becomes mallory's.
    await expect(client.refresh()).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      cause: { code: 'INVALID_RESPONSE' },
    })
    expect(client.getStatus()).toBe('expired')
    expect(client.getSession()).toBeNull()
    const expired: SessionExpiredEvent[] = []
    client.onSessionExpired((event) => expired.push(event))
    expect(expired.map((e) => [e.reason, e.session.subject])).toEqual([['refresh_rejected', session.subject]])
  })
})
