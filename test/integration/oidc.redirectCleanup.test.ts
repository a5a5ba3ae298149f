// Issue 9, item 13, through the client against a real provider: whatever ends a pending redirect
// (sign-out, its timeout, a newer sign-in) clears the PKCE verifier, state and nonce the method
// stored and deletes the key made for it, and a callback that comes later is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StorageAdapter } from '../../src/index.js'
import { oidc } from '../../src/oidc/index.js'
import { simulatedEnvironment } from '../../src/testing/index.js'
import { trackingKeyStore } from '../kit/origin.js'
import { testClient } from '../kit/testClient.js'
import { type OidcFixture, REDIRECT_URI, startOidcFixture } from '../utils/oidcFixture.js'
import { scriptedLogin } from '../utils/scriptedLogin.js'

/** A storage whose entries a test can list (the method's redirect storage, sessionStorage in a browser). */
function listedStorage() {
  const entries = new Map<string, string>()
  const adapter: StorageAdapter = {
    get: (key) => entries.get(key) ?? null,
    set: (key, value) => {
      entries.set(key, value)
    },
    remove: (key) => {
      entries.delete(key)
    },
  }
  return { adapter, keys: () => [...entries.keys()] }
}

describe('a pending redirect leaves nothing behind when it ends', () => {
  let fixture: OidcFixture
  beforeAll(async () => {
    fixture = await startOidcFixture()
  })
  afterAll(async () => {
    await fixture.close()
  })

  function start() {
    const env = simulatedEnvironment({ now: Date.now() })
    const redirectStorage = listedStorage()
    const keys = trackingKeyStore()
    const navigated: string[] = []
    const { client } = testClient({
      methods: [
        oidc({
          issuer: fixture.op.issuer,
          clientId: fixture.op.clientId,
          redirectUri: REDIRECT_URI,
          allowInsecureLoopback: true,
          redirectStorage: redirectStorage.adapter,
        }),
      ],
      environment: env,
      keyStore: keys,
      navigate: (url) => navigated.push(url),
      redirectTimeoutSeconds: 60,
    })
    const begin = async () => {
      const before = navigated.length
      void client.signIn().catch(() => undefined)
      for (let i = 0; i < 300 && navigated.length === before; i++) await new Promise((r) => setTimeout(r, 10))
      expect(client.getStatus()).toBe('oidcRedirectPending')
      return navigated.at(-1) as string
    }
    return { env, client, redirectStorage, keys, begin }
  }

  it('sign-out clears the stored PKCE verifier, state and nonce and the redirect’s key; the callback is refused', async () => {
    const { client, redirectStorage, keys, begin } = start()
    const authorizeUrl = await begin()
    expect(redirectStorage.keys()).toHaveLength(1)
    expect(keys.live()).toHaveLength(1)

    await client.signOut()
    await new Promise((r) => setTimeout(r, 20))
    expect(redirectStorage.keys()).toEqual([])
    expect(keys.live()).toEqual([])

    const callback = await scriptedLogin(authorizeUrl, { redirectUri: REDIRECT_URI })
    await expect(client.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'REDIRECT_STATE_MISMATCH',
    })
    expect(client.getStatus()).toBe('signedOut')
  })

  it('the redirect timeout clears them too, and a callback after it is REDIRECT_STATE_MISMATCH', async () => {
    const { env, client, redirectStorage, keys, begin } = start()
    const authorizeUrl = await begin()
    const callback = await scriptedLogin(authorizeUrl, { redirectUri: REDIRECT_URI })
    await env.advance(61_000)
    await new Promise((r) => setTimeout(r, 20))
    expect(client.getStatus()).toBe('signedOut')
    expect(redirectStorage.keys()).toEqual([])
    expect(keys.live()).toEqual([])
    await expect(client.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'REDIRECT_STATE_MISMATCH',
    })
    expect(client.getSession()).toBeNull()
  })

  it('a newer sign-in abandons the earlier redirect: only the newer one’s callback completes', async () => {
    const { client, redirectStorage, keys, begin } = start()
    const first = await begin()
    const second = await begin()
    await new Promise((r) => setTimeout(r, 20))
    expect(redirectStorage.keys()).toHaveLength(1)
    expect(keys.live()).toHaveLength(1)
    const late = await scriptedLogin(first, { redirectUri: REDIRECT_URI })
    await expect(client.handleRedirectCallback(late)).rejects.toMatchObject({
      code: 'REDIRECT_STATE_MISMATCH',
    })
    const fresh = await begin()
    const callback = await scriptedLogin(fresh, { redirectUri: REDIRECT_URI })
    const session = await client.handleRedirectCallback(callback)
    expect(session.subject).toBeTruthy()
    expect(second).not.toBe(first)
  })
})
