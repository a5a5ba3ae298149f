/**
 * What a redirect leaves in the redirect storage (issue 9, item 13, the method's side):
 * `abandonRedirect` removes it, and an entry older than the redirect timeout is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RedirectRequest } from '../../src/authMethod.js'
import { type OidcOptions, oidc } from '../../src/oidc/index.js'
import type { StorageAdapter } from '../../src/storage/StorageAdapter.js'
import { methodContext, recordingFetch, type SeenTokenRequest } from '../utils/methodContext.js'
import { type OidcFixture, REDIRECT_URI, startOidcFixture } from '../utils/oidcFixture.js'
import { scriptedLogin } from '../utils/scriptedLogin.js'

/** A storage whose contents the test can list (sessionStorage's role in a browser). */
function listingStorage() {
  const values = new Map<string, string>()
  const storage: StorageAdapter = {
    get: (k) => values.get(k) ?? null,
    set: (k, v) => {
      values.set(k, v)
    },
    remove: (k) => {
      values.delete(k)
    },
  }
  return { storage, values }
}

describe('redirect state lifetime in the oidc method', () => {
  let fixture: OidcFixture
  beforeAll(async () => {
    fixture = await startOidcFixture()
  })
  afterAll(() => fixture.close())

  const method = (redirectStorage: StorageAdapter, extra: Partial<OidcOptions> = {}) =>
    oidc({
      issuer: fixture.op.issuer,
      clientId: fixture.op.clientId,
      redirectUri: REDIRECT_URI,
      allowInsecureLoopback: true,
      redirectStorage,
      ...extra,
    })

  /** A context whose clock the test moves; the key is shared, as the client's key would be. */
  const clocked = (seen: SeenTokenRequest[]) => {
    let offsetMs = 0
    const ctx = methodContext({ fetch: recordingFetch(seen), now: () => Date.now() + offsetMs })
    return {
      ctx,
      advance: (ms: number) => {
        offsetMs += ms
      },
    }
  }

  it('abandonRedirect removes the PKCE/state/nonce entry; the late callback is REDIRECT_STATE_MISMATCH', async () => {
    const { storage, values } = listingStorage()
    const m = method(storage)
    const seen: SeenTokenRequest[] = []
    const { ctx } = clocked(seen)
    const redirect = (await m.signIn(undefined, ctx)) as RedirectRequest
    expect(values.size).toBe(1)
    const callback = await scriptedLogin(String(redirect.url), { redirectUri: REDIRECT_URI })

    await m.abandonRedirect?.(redirect.state as string, ctx)
    expect([...values.keys()]).toEqual([])
    await expect(m.completeRedirect?.(callback, ctx)).rejects.toMatchObject({
      code: 'REDIRECT_STATE_MISMATCH',
    })
    expect(seen).toHaveLength(0)
  })

  it("abandonRedirect touches only its own state's entry", async () => {
    const { storage, values } = listingStorage()
    const m = method(storage)
    const ctx = methodContext()
    const first = (await m.signIn(undefined, ctx)) as RedirectRequest
    const second = (await m.signIn(undefined, ctx)) as RedirectRequest
    await m.abandonRedirect?.(first.state as string, ctx)
    expect(values.size).toBe(1)
    const callback = await scriptedLogin(String(second.url), { redirectUri: REDIRECT_URI })
    expect((await m.completeRedirect?.(callback, ctx))?.subject).toBe('ada')
    expect(values.size).toBe(0)
  })

  it('a callback after the default 10 minutes is REDIRECT_STATE_MISMATCH, and nothing reaches the token endpoint', async () => {
    const { storage, values } = listingStorage()
    const m = method(storage)
    const seen: SeenTokenRequest[] = []
    const { ctx, advance } = clocked(seen)
    const redirect = (await m.signIn(undefined, ctx)) as RedirectRequest
    const callback = await scriptedLogin(String(redirect.url), { redirectUri: REDIRECT_URI })
    advance(10 * 60_000 + 1_000)
    await expect(m.completeRedirect?.(callback, ctx)).rejects.toMatchObject({
      code: 'REDIRECT_STATE_MISMATCH',
    })
    expect(seen).toHaveLength(0)
    expect(values.size).toBe(0) // the stale entry is gone too
  })

  it('within the timeout the callback completes (9 minutes of 10)', async () => {
    const { storage } = listingStorage()
    const m = method(storage)
    const seen: SeenTokenRequest[] = []
    const { ctx, advance } = clocked(seen)
    const redirect = (await m.signIn(undefined, ctx)) as RedirectRequest
    const callback = await scriptedLogin(String(redirect.url), { redirectUri: REDIRECT_URI })
    advance(9 * 60_000)
    expect((await m.completeRedirect?.(callback, ctx))?.subject).toBe('ada')
  })

  it('redirectTimeoutSeconds sets the limit (here 30 s)', async () => {
    const { storage } = listingStorage()
    const m = method(storage, { redirectTimeoutSeconds: 30 })
    const seen: SeenTokenRequest[] = []
    const { ctx, advance } = clocked(seen)
    const redirect = (await m.signIn(undefined, ctx)) as RedirectRequest
    const callback = await scriptedLogin(String(redirect.url), { redirectUri: REDIRECT_URI })
    advance(31_000)
    await expect(m.completeRedirect?.(callback, ctx)).rejects.toMatchObject({
      code: 'REDIRECT_STATE_MISMATCH',
    })
    expect(seen).toHaveLength(0)
  })

  it('a redirectTimeoutSeconds that is not a positive number is INVALID_PARAMS', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => method(listingStorage().storage, { redirectTimeoutSeconds: bad })).toThrowError(
        expect.objectContaining({ code: 'INVALID_PARAMS' }),
      )
    }
  })
})
