// Issue 10 (Why 5, What to build "Standard claims"): `email`, `name` fill the session when the token
// carries them, whichever way the token arrives (a method's sign-in, setTokens, an OIDC ID token).
import { describe, expect, it } from 'vitest'
import type { AuthMethod, MethodContext } from '../../src/index.js'
import { toCredentials } from '../../src/oidc/tokenResponse.js'
import { fakeJwt } from '../kit/jwt.js'
import { testClient } from '../kit/testClient.js'

const exp = () => Math.floor(Date.now() / 1000) + 3600

describe('standard claims fill the session', () => {
  it('a method that returns only an access token: its email and name claims reach the session', async () => {
    const method: AuthMethod<undefined, 'jwt'> = {
      id: 'jwt',
      async signIn() {
        return {
          accessToken: fakeJwt({ sub: 'ada', exp: exp(), email: 'ada@example.com', name: 'Ada Lovelace' }),
        }
      },
    }
    const { client } = testClient({ methods: [method] })
    const session = await client.signIn()
    expect(session).toMatchObject({ subject: 'ada', email: 'ada@example.com', name: 'Ada Lovelace' })
    expect(client.getSession()).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' })
  })

  it('setTokens with a JWT that carries email and name', async () => {
    const { client } = testClient({ methods: [] })
    await client.setTokens({
      accessToken: fakeJwt({ sub: 'bob', exp: exp(), email: 'bob@example.com', name: 'Bob' }),
    })
    expect(client.getSession()).toMatchObject({ email: 'bob@example.com', name: 'Bob' })
  })

  it('what the method says wins over the token', async () => {
    const { client } = testClient({ methods: [] })
    await client.setTokens({
      accessToken: fakeJwt({ sub: 'bob', exp: exp(), email: 'token@example.com', name: 'Token' }),
      email: 'method@example.com',
    })
    expect(client.getSession()).toMatchObject({ email: 'method@example.com', name: 'Token' })
  })

  it('OIDC: the validated ID token’s email and name claims fill the session (an opaque access token carries none)', async () => {
    const ctx = { now: () => Date.now() } as unknown as MethodContext
    const credentials = toCredentials(
      { access_token: 'opaque', token_type: 'bearer', expires_in: 300 } as never,
      ctx,
      { sub: 'ada', email: 'ada@example.com', name: 'Ada Lovelace' } as never,
    )
    const { client } = testClient({ methods: [] })
    await client.setTokens(credentials)
    expect(client.getSession()).toMatchObject({
      subject: 'ada',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
    })
  })
})
