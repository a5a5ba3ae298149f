// The kit's loopback token server keeps the HTTP surface the multi-tab suite and the benchmarks
// rely on (they meet it only from Chromium, where its rejection paths are never taken).
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeJwt } from '../kit/jwt.js'
import { startTokenServer, type TokenServer } from '../kit/tokenServer.js'

interface TokenAnswer {
  access_token: string
  refresh_token: string
  expires_at: number
  token_type: string
}

describe('the kit token server (test/kit/tokenServer.ts)', () => {
  let server: TokenServer
  beforeAll(async () => {
    server = await startTokenServer({ accessTokenTtl: 60 })
  })
  afterAll(() => server.close())

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) })
  const login = async (sub: string) => (await (await post('/login', { sub })).json()) as TokenAnswer
  const api = (token: string) => fetch(`${server.url}/api`, { headers: { authorization: `Bearer ${token}` } })

  it('logs in and rotates refresh tokens; a reused one is refused and kills its family', async () => {
    const before = { ...server.counters }
    const first = await login('ada')
    expect(first.token_type).toBe('Bearer')
    expect(decodeJwt(first.access_token)).toMatchObject({ sub: 'ada', exp: first.expires_at })
    const rotated = await post('/refresh', { refresh_token: first.refresh_token })
    expect(rotated.status).toBe(200)
    const second = (await rotated.json()) as TokenAnswer
    expect(second.refresh_token).not.toBe(first.refresh_token)

    const replay = await post('/refresh', { refresh_token: first.refresh_token })
    expect(replay.status).toBe(400)
    expect(await replay.json()).toEqual({ error: 'invalid_grant', error_description: 'refresh token reused' })
    // The family is dead: the rotated token and its access token are refused too.
    const after = await post('/refresh', { refresh_token: second.refresh_token })
    expect(after.status).toBe(400)
    expect(await after.json()).toEqual({ error: 'invalid_grant' })
    expect((await api(second.access_token)).status).toBe(401)
    expect(server.counters.logins - before.logins).toBe(1)
    expect(server.counters.refreshCalls - before.refreshCalls).toBe(3)
    expect(server.counters.reuseDetections - before.reuseDetections).toBe(1)
  })

  it('its API takes live tokens only: not revoked, not expired on its clock, not unknown', async () => {
    const before = { ...server.counters }
    const { access_token } = await login('bo')
    expect((await api(access_token)).status).toBe(200)
    expect((await api(fakeJwt({ sub: 'bo', exp: Math.floor(Date.now() / 1000) + 60 }))).status).toBe(401)
    server.setClockOffset(61_000)
    expect((await api(access_token)).status).toBe(401)
    server.setClockOffset(0)
    server.revoke(access_token)
    expect((await api(access_token)).status).toBe(401)
    expect(server.counters.apiCalls - before.apiCalls).toBe(4)
    expect(server.counters.unauthorized - before.unauthorized).toBe(3)
  })

  it('issues tokens with the lifetime it is set to, and answers CORS preflights', async () => {
    server.setAccessTokenTtl(5)
    const { access_token, expires_at } = await login('cy')
    server.setAccessTokenTtl(60)
    const { exp, iat } = decodeJwt(access_token) as { exp: number; iat: number }
    expect([exp - iat, expires_at]).toEqual([5, exp])
    const preflight = await fetch(`${server.url}/refresh`, { method: 'OPTIONS' })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404)
  })
})
