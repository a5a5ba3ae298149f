/**
 * `extraParams` cannot override the protocol parameters the method sets (issue 9, item 4): not at
 * construction, not per call, not in another letter case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedirectRequest, SessionError } from '../../src/index.js'
import { type OidcOptions, oidc } from '../../src/oidc/index.js'
import type { StorageAdapter } from '../../src/storage/StorageAdapter.js'
import { methodContext } from '../utils/methodContext.js'
import { type OidcFixture, REDIRECT_URI, startOidcFixture } from '../utils/oidcFixture.js'

/** Every parameter the request builder sets, plus those that would replace or re-route the request. */
const RESERVED = [
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'redirect_uri',
  'response_type',
  'client_id',
  'dpop_jkt',
  'scope',
  'response_mode',
  'request',
  'request_uri',
]

/** A storage that remembers every key ever written, to show a refused sign-in wrote nothing. */
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

describe('reserved authorization parameters in extraParams', () => {
  let fixture: OidcFixture
  beforeAll(async () => {
    fixture = await startOidcFixture()
  })
  afterAll(() => fixture.close())

  const options = (extra: Partial<OidcOptions> = {}): OidcOptions => ({
    issuer: fixture.op.issuer,
    clientId: fixture.op.clientId,
    redirectUri: REDIRECT_URI,
    allowInsecureLoopback: true,
    ...extra,
  })

  it.each(RESERVED)(
    'app-level extraParams with "%s" is refused at construction with INVALID_PARAMS',
    (name) => {
      const attempt = () => oidc(options({ extraParams: { [name]: 'attacker-chosen' } }))
      expect(attempt).toThrowError(SessionError)
      expect(attempt).toThrowError(expect.objectContaining({ code: 'INVALID_PARAMS' }))
    },
  )

  it.each(RESERVED)(
    'per-call extraParams with "%s" is refused with INVALID_PARAMS and stores nothing',
    async (name) => {
      const { storage, values } = listingStorage()
      const method = oidc(options({ redirectStorage: storage }))
      await expect(
        method.signIn({ extraParams: { [name]: 'attacker-chosen' } }, methodContext()),
      ).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
      expect(values.size).toBe(0)
    },
  )

  it('the check ignores letter case: STATE, Code_Challenge_Method, DPoP_JKT', async () => {
    for (const name of ['STATE', 'Code_Challenge_Method', 'DPoP_JKT', 'Redirect_URI']) {
      expect(() => oidc(options({ extraParams: { [name]: 'x' } }))).toThrowError(
        expect.objectContaining({ code: 'INVALID_PARAMS' }),
      )
      await expect(
        oidc(options()).signIn({ extraParams: { [name]: 'x' } }, methodContext()),
      ).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    }
  })

  it('code_challenge_method=plain cannot downgrade PKCE', async () => {
    await expect(
      oidc(options()).signIn({ extraParams: { code_challenge_method: 'plain' } }, methodContext()),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
  })

  it('ordinary extra parameters still reach the authorization URL, app-level and per call', async () => {
    const method = oidc(options({ extraParams: { ui_locales: 'fr', prompt: 'consent' } }))
    const redirect = (await method.signIn(
      { extraParams: { prompt: 'login', login_hint: 'ada' } },
      methodContext(),
    )) as RedirectRequest
    const query = new URL(String(redirect.url)).searchParams
    expect(query.get('ui_locales')).toBe('fr')
    expect(query.get('prompt')).toBe('login') // per call wins over app-level
    expect(query.get('login_hint')).toBe('ada')
    expect(query.get('state')).toBe(redirect.state)
    expect(query.get('code_challenge_method')).toBe('S256')
  })

  it('the refusal names the parameter, never its value', async () => {
    const error = await oidc(options())
      .signIn({ extraParams: { nonce: 'secret-value-123' } }, methodContext())
      .then(
        () => null,
        (e: unknown) => e as SessionError,
      )
    expect(error?.message).toContain('nonce')
    expect(error?.message).not.toContain('secret-value-123')
  })
})
