// The token answer of the passkey endpoints, read into Credentials (docs/passkeys.md, "the token answer").
import { describe, expect, it } from 'vitest'
import { toCredentials } from '../../src/passkey/passkeyEndpoints.js'

const now = Date.UTC(2026, 0, 1) // ms

describe('the passkey token answer', () => {
  it('maps tokens, expiry, the account and a baas-style address', () => {
    expect(
      toCredentials(
        {
          access_token: 'at',
          token_type: 'Bearer',
          expires_in: 60,
          refresh_token: 'rt',
          user: { id: 'u1', name: 'ada', displayName: 'Ada' },
          address: '0x0000000000000000000000000000000000000001',
        },
        now,
      ),
    ).toEqual({
      accessToken: 'at',
      tokenType: 'Bearer',
      refreshToken: 'rt',
      expiresAt: now / 1000 + 60,
      subject: 'u1',
      address: '0x0000000000000000000000000000000000000001',
      claims: { name: 'ada', displayName: 'Ada' },
    })
  })

  it('prefers expires_at, and leaves out what the server did not send (cookie-kept refresh token, JWT sub)', () => {
    expect(toCredentials({ access_token: 'at', expires_at: 1_900_000_000, expires_in: 5 }, now)).toEqual({
      accessToken: 'at',
      expiresAt: 1_900_000_000,
    })
  })

  it('an answer without an access token is INVALID_RESPONSE', () => {
    expect(() => toCredentials({ token: 'x' }, now)).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE' }),
    )
  })
})
