// The kit's fakeJwt runs without Buffer (browser suites use it too): its segments must still be
// the base64url of UTF-8 JSON, which btoa alone gets wrong for characters beyond Latin-1.
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { fakeJwt } from '../kit/jwt.js'

describe('fakeJwt (test/kit/jwt.ts)', () => {
  it('encodes any claim as base64url JSON, like Buffer would, and differs on each call', () => {
    const claims = { sub: 'zoë 🔑', exp: 1_767_225_900, name: 'Ådа' }
    const token = fakeJwt(claims)
    expect(decodeJwt(token)).toEqual(claims)
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(token.split('.')[1]).toBe(Buffer.from(JSON.stringify(claims)).toString('base64url'))
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(fakeJwt(claims)).not.toBe(token)
  })

  it('takes a header and a signature for tests about the token itself', () => {
    const token = fakeJwt({ sub: 'ada' }, { header: { alg: 'none', typ: 'JWT' }, signature: '' })
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'none', typ: 'JWT' })
    expect(token.endsWith('.')).toBe(true)
  })
})
