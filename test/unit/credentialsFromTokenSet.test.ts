import { describe, expect, it } from 'vitest'
import { credentialsFromTokenSet, normalizeSessionId } from '../../src/endpoints/index.js'
import { isSessionError } from '../../src/index.js'

const ID = `0x${'0f'.repeat(32)}`

describe('credentialsFromTokenSet (Torus token set → Credentials)', () => {
  it('maps the snake_case set, keeping the session id and the provider ID token distinct', () => {
    const credentials = credentialsFromTokenSet({
      session_id: ID,
      access_token: 'at',
      refresh_token: 'rt',
      id_token: 'idt',
    })
    expect(credentials).toEqual({ accessToken: 'at', refreshToken: 'rt', idToken: 'idt', sessionId: ID })
    expect(Object.keys(credentials)).not.toContain('id')
  })

  it("accepts Torus's camelCase AuthTokens too, and refuses the two spellings disagreeing", () => {
    expect(
      credentialsFromTokenSet({ sessionId: ID, accessToken: 'at', refreshToken: 'rt', idToken: 'idt' }),
    ).toEqual({ accessToken: 'at', refreshToken: 'rt', idToken: 'idt', sessionId: ID })
    expect(credentialsFromTokenSet({ access_token: 'at', accessToken: 'at' })).toEqual({ accessToken: 'at' })
    expect(() => credentialsFromTokenSet({ access_token: 'a', accessToken: 'b' })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMS' }),
    )
  })

  it('pads, lowercases and prefixes the session id as Torus does, and refuses non-hex or over-long ids', () => {
    expect(normalizeSessionId('ABC')).toBe(`0x${'0'.repeat(61)}abc`)
    expect(normalizeSessionId(`0x${'AB'.repeat(32)}`)).toBe(`0x${'ab'.repeat(32)}`)
    expect(() => normalizeSessionId('xyz')).toThrow(expect.objectContaining({ code: 'INVALID_PARAMS' }))
    // Torus cuts a 33-byte id to 32 silently; a cut id would key other data, so it is refused.
    expect(() => normalizeSessionId(`0x${'ab'.repeat(33)}`)).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMS' }),
    )
    expect(() => normalizeSessionId('')).toThrow(expect.objectContaining({ code: 'INVALID_PARAMS' }))
  })

  it('skips empty strings like Torus, and needs an access token', () => {
    expect(credentialsFromTokenSet({ access_token: 'at', refresh_token: '', id_token: '' })).toEqual({
      accessToken: 'at',
    })
    let error: unknown
    try {
      credentialsFromTokenSet({ session_id: ID, refresh_token: 'rt' })
    } catch (e) {
      error = e
    }
    expect(isSessionError(error, 'INVALID_TOKEN')).toBe(true)
    expect((error as Error).message).not.toContain('rt')
  })

  it('turns expires_at and expires_in into expiresAt; expires_in needs a clock', () => {
    expect(credentialsFromTokenSet({ access_token: 'at', expires_at: 1_900_000_000 }).expiresAt).toBe(
      1_900_000_000,
    )
    expect(
      credentialsFromTokenSet({ access_token: 'at', expires_in: 60 }, { now: 1_800_000_000_500 }).expiresAt,
    ).toBe(1_800_000_060)
    expect(() => credentialsFromTokenSet({ access_token: 'at', expires_in: 60 })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMS' }),
    )
  })

  it('refuses what is not a token set', () => {
    for (const bad of [null, 'at', ['at'], { access_token: 42 }, { access_token: 'at', session_id: 7 }]) {
      expect(() => credentialsFromTokenSet(bad as never)).toThrow(
        expect.objectContaining({ name: 'SessionError' }),
      )
    }
  })

  it('is pure: the same set gives the same credentials, and the input is not changed', () => {
    const set = Object.freeze({ session_id: 'ab', access_token: 'at', refresh_token: 'rt' })
    expect(credentialsFromTokenSet(set)).toEqual(credentialsFromTokenSet(set))
    expect(set).toEqual({ session_id: 'ab', access_token: 'at', refresh_token: 'rt' })
  })
})
