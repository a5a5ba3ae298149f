/**
 * Two oidc() methods on one callback URL (issue 9, item 3): the method that started a redirect is
 * the only one that can complete it, and a provider's token endpoint never sees another method's
 * code or PKCE verifier. Both methods share one redirect storage, as they share sessionStorage in
 * a browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOpenIdProvider } from '../../docs/demo/server/openidProvider.js'
import { isRedirectRequest, type RedirectRequest } from '../../src/authMethod.js'
import { memoryStorage, type StorageAdapter } from '../../src/index.js'
import { oidc } from '../../src/oidc/index.js'
import { testClient } from '../kit/testClient.js'
import { methodContext, recordingFetch, type SeenTokenRequest } from '../utils/methodContext.js'
import { type OidcFixture, REDIRECT_URI, startOidcFixture } from '../utils/oidcFixture.js'
import { scriptedLogin } from '../utils/scriptedLogin.js'

type RunningProvider = Awaited<ReturnType<typeof startOpenIdProvider>>

const SCOPE = 'openid email offline_access api:read'

function method(id: string, issuer: string, clientId: string, redirectStorage: StorageAdapter) {
  return oidc({
    id,
    issuer,
    clientId,
    redirectUri: REDIRECT_URI,
    scope: SCOPE,
    allowInsecureLoopback: true,
    redirectStorage,
  })
}

/** Starts a sign-in with `m`, logs in at its provider, and returns the redirect and its callback. */
async function startAndLogin(m: ReturnType<typeof oidc>, ctx: ReturnType<typeof methodContext>) {
  const redirect = await m.signIn(undefined, ctx)
  if (!isRedirectRequest(redirect)) throw new Error('expected a redirect')
  const callback = await scriptedLogin(String(redirect.url), { redirectUri: REDIRECT_URI })
  return { redirect, callback }
}

describe('two oidc() methods on one redirect URI', () => {
  let fixture: OidcFixture
  let providerB: RunningProvider

  beforeAll(async () => {
    // Provider A has two clients (a, a2): the same issuer, so RFC 9207 `iss` cannot tell them apart.
    fixture = await startOidcFixture({ extraClientIds: ['second-client'] })
    providerB = await startOpenIdProvider({ redirectUris: [REDIRECT_URI], apiAudience: fixture.api.url })
  })
  afterAll(async () => {
    await Promise.all([fixture.close(), providerB.close()])
  })

  it('signIn returns the state it put in the authorization URL', async () => {
    const a = method('a', fixture.op.issuer, fixture.op.clientId, memoryStorage())
    const redirect = (await a.signIn(undefined, methodContext())) as RedirectRequest
    expect(redirect.state).toBeTruthy()
    expect(redirect.state).toBe(new URL(String(redirect.url)).searchParams.get('state'))
  })

  it("provider A's token endpoint never receives B's code or verifier: A refuses B's callback with REDIRECT_STATE_MISMATCH", async () => {
    const shared = memoryStorage()
    const a = method('a', fixture.op.issuer, fixture.op.clientId, shared)
    const b = method('b', providerB.issuer, providerB.clientId, shared)
    const seen: SeenTokenRequest[] = []
    const ctx = methodContext({ fetch: recordingFetch(seen) })
    const { callback } = await startAndLogin(b, ctx)

    const outcome = await a.completeRedirect?.(new URL(callback.href), ctx).catch((e: unknown) => e)
    expect(seen.filter((r) => r.url.startsWith(fixture.op.issuer))).toHaveLength(0)
    expect(outcome).toMatchObject({ code: 'REDIRECT_STATE_MISMATCH' })

    // A's refusal did not consume B's redirect: B still completes its own callback.
    const credentials = await b.completeRedirect?.(new URL(callback.href), ctx)
    expect(credentials?.claims?.iss).toBe(providerB.issuer)
    expect(seen.filter((r) => r.url.startsWith(providerB.issuer))).toHaveLength(1)
  })

  it("two clients of one provider (same iss): client a's token request never carries b's code or verifier", async () => {
    const shared = memoryStorage()
    const a = method('a', fixture.op.issuer, fixture.op.clientId, shared)
    const b = method('b', fixture.op.issuer, 'second-client', shared)
    const seen: SeenTokenRequest[] = []
    const ctx = methodContext({ fetch: recordingFetch(seen) })
    const { callback } = await startAndLogin(b, ctx)

    const outcome = await a.completeRedirect?.(new URL(callback.href), ctx).catch((e: unknown) => e)
    expect(seen.filter((r) => r.params.get('code') === callback.searchParams.get('code'))).toEqual([])
    expect(outcome).toMatchObject({ code: 'REDIRECT_STATE_MISMATCH' })

    const credentials = await b.completeRedirect?.(new URL(callback.href), ctx)
    expect(credentials?.claims?.aud).toBe('second-client')
    expect(seen).toHaveLength(1)
    // The one exchange that happened was b's own, with b's code.
    expect(seen[0]?.params.get('client_id')).toBe('second-client')
    expect(seen[0]?.params.get('code')).toBe(callback.searchParams.get('code'))
  })

  it('a state this method never issued is REDIRECT_STATE_MISMATCH, before any request to the provider', async () => {
    const a = method('a', fixture.op.issuer, fixture.op.clientId, memoryStorage())
    const seen: SeenTokenRequest[] = []
    const ctx = methodContext({ fetch: recordingFetch(seen) })
    const { callback } = await startAndLogin(a, ctx)
    callback.searchParams.set('state', 'a-state-nobody-issued')
    await expect(a.completeRedirect?.(callback, ctx)).rejects.toMatchObject({
      code: 'REDIRECT_STATE_MISMATCH',
    })
    expect(seen).toHaveLength(0)
  })

  it('through the client: completing B\'s callback with method "a" is REDIRECT_STATE_MISMATCH and sends nothing to the token endpoint', async () => {
    const shared = memoryStorage()
    const seen: SeenTokenRequest[] = []
    const navigated: string[] = []
    const { client } = testClient({
      methods: [
        method('a', fixture.op.issuer, fixture.op.clientId, shared),
        method('b', fixture.op.issuer, 'second-client', shared),
      ],
      navigate: (url) => navigated.push(url),
      fetch: recordingFetch(seen),
    })
    void client.signIn(undefined, { method: 'b' }).catch(() => undefined)
    for (let i = 0; i < 300 && navigated.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    const callback = await scriptedLogin(navigated[0] as string, { redirectUri: REDIRECT_URI })

    const outcome = await client.handleRedirectCallback(callback, { method: 'a' }).catch((e: unknown) => e)
    expect(seen.filter((r) => r.params.get('code') === callback.searchParams.get('code'))).toEqual([])
    expect(outcome).toMatchObject({ code: 'REDIRECT_STATE_MISMATCH' })
  })

  it('through the client: the pending redirect\'s method ("b", not the first) completes the callback', async () => {
    const shared = memoryStorage()
    const navigated: string[] = []
    const { client } = testClient({
      methods: [
        method('a', fixture.op.issuer, fixture.op.clientId, shared),
        method('b', providerB.issuer, providerB.clientId, shared),
      ],
      navigate: (url) => navigated.push(url),
    })
    const pending = client.signIn(undefined, { method: 'b' }).catch(() => undefined)
    for (let i = 0; i < 300 && navigated.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    const callback = await scriptedLogin(navigated[0] as string, { redirectUri: REDIRECT_URI })
    const session = await client.handleRedirectCallback(callback)
    await pending
    expect(session.method).toBe('b')
    expect(session.claims?.iss).toBe(providerB.issuer)
  })

  describe('the authorization response `iss` (RFC 9207)', () => {
    it('a callback naming another issuer is INVALID_RESPONSE, before any token request', async () => {
      const a = method('a', fixture.op.issuer, fixture.op.clientId, memoryStorage())
      const seen: SeenTokenRequest[] = []
      const ctx = methodContext({ fetch: recordingFetch(seen) })
      const { callback } = await startAndLogin(a, ctx)
      expect(callback.searchParams.get('iss')).toBe(fixture.op.issuer)
      callback.searchParams.set('iss', providerB.issuer)
      await expect(a.completeRedirect?.(callback, ctx)).rejects.toMatchObject({ code: 'INVALID_RESPONSE' })
      expect(seen).toHaveLength(0)
    })

    it('a callback without iss is INVALID_RESPONSE when the provider advertises authorization_response_iss_parameter_supported', async () => {
      const a = method('a', fixture.op.issuer, fixture.op.clientId, memoryStorage())
      const seen: SeenTokenRequest[] = []
      const ctx = methodContext({ fetch: recordingFetch(seen) })
      const { callback } = await startAndLogin(a, ctx)
      callback.searchParams.delete('iss')
      await expect(a.completeRedirect?.(callback, ctx)).rejects.toMatchObject({ code: 'INVALID_RESPONSE' })
      expect(seen).toHaveLength(0)
    })

    it('a provider that does not advertise it may omit iss', async () => {
      // The same provider, with the metadata flag taken out of its discovery document.
      const withoutIssSupport: typeof fetch = async (input, init) => {
        const response = await fetch(input, init)
        if (!new URL(new Request(input).url).pathname.endsWith('/openid-configuration')) return response
        const metadata = (await response.json()) as Record<string, unknown>
        delete metadata.authorization_response_iss_parameter_supported
        return Response.json(metadata, { status: response.status })
      }
      const a = method('a', fixture.op.issuer, fixture.op.clientId, memoryStorage())
      const ctx = methodContext({ fetch: withoutIssSupport })
      const { callback } = await startAndLogin(a, ctx)
      callback.searchParams.delete('iss')
      const credentials = await a.completeRedirect?.(callback, ctx)
      expect(credentials?.subject).toBe('ada')
    })
  })
})
