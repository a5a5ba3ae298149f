import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { SessionClient } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { testClient } from '../kit/testClient.js'

interface Seen {
  method: string
  path: string
  authorization: string | undefined
  dpop: string | undefined
  body: Buffer
}

/** A loopback API: accepts only tokens it was told are valid; optional DPoP with nonces. */
function startApi() {
  const state = {
    valid: new Set<string>(),
    seen: [] as Seen[],
    requireDPoPNonce: null as string | null,
    dpopJkt: null as string | null,
  }
  const read = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => resolve(Buffer.concat(chunks)))
    })
  const server: Server = createServer(async (req, res) => {
    const body = await read(req)
    const seen: Seen = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      authorization: req.headers.authorization,
      dpop: req.headers.dpop as string | undefined,
      body,
    }
    state.seen.push(seen)
    const [scheme, token] = (seen.authorization ?? '').split(' ')
    if (!token || !state.valid.has(token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
      return
    }
    if (state.dpopJkt) {
      if (scheme !== 'DPoP' || !seen.dpop) {
        res.writeHead(401, { 'www-authenticate': 'DPoP error="invalid_token"' }).end()
        return
      }
      const { payload, protectedHeader } = await jwtVerify(seen.dpop, EmbeddedJWK, { typ: 'dpop+jwt' })
      const jkt = await calculateJwkThumbprint(protectedHeader.jwk as never)
      const ath = createHash('sha256').update(token).digest('base64url')
      const port = (server.address() as AddressInfo).port
      const ok =
        jkt === state.dpopJkt &&
        payload.ath === ath &&
        payload.htm === seen.method &&
        payload.htu === `http://127.0.0.1:${port}${seen.path.split('?')[0]}`
      if (!ok) {
        res.writeHead(401, { 'www-authenticate': 'DPoP error="invalid_dpop_proof"' }).end()
        return
      }
      if (state.requireDPoPNonce && payload.nonce !== state.requireDPoPNonce) {
        res
          .writeHead(401, {
            'www-authenticate': 'DPoP error="use_dpop_nonce"',
            'dpop-nonce': state.requireDPoPNonce,
          })
          .end()
        return
      }
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ok: true, body: body.toString('utf8') }))
  })
  return new Promise<{ origin: string; state: typeof state; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve({
        origin,
        state,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}

describe('client.fetch against a loopback API', () => {
  let api: Awaited<ReturnType<typeof startApi>>
  let foreign: Awaited<ReturnType<typeof startApi>>
  let client: SessionClient
  let fixture: ReturnType<typeof testClient>

  beforeAll(async () => {
    api = await startApi()
    foreign = await startApi()
  })
  afterAll(async () => {
    await api.close()
    await foreign.close()
  })
  beforeEach(async () => {
    api.state.seen.length = 0
    api.state.valid.clear()
    api.state.requireDPoPNonce = null
    api.state.dpopJkt = null
    foreign.state.seen.length = 0
    fixture = testClient({ apiOrigins: [api.origin] })
    // Every token the method issues is valid at the API, until revoked.
    const issue = fixture.method.refresh?.bind(fixture.method)
    fixture.method.refresh = async (credentials, ctx) => {
      const next = await (issue as NonNullable<typeof issue>)(credentials, ctx)
      api.state.valid.add(next.accessToken)
      return next
    }
    client = fixture.client
    const session = await client.signIn()
    api.state.valid.add(session.accessToken)
  })

  it('sends the token to apiOrigins and nothing to a foreign origin', async () => {
    const ok = await client.fetch(`${api.origin}/me`)
    expect(ok.status).toBe(200)
    expect(api.state.seen[0]?.authorization).toBe(`Bearer ${client.getSession()?.accessToken}`)
    const other = await client.fetch(`${foreign.origin}/collect`, { headers: { 'x-app': '1' } })
    expect(other.status).toBe(401)
    expect(foreign.state.seen).toHaveLength(1)
    expect(foreign.state.seen[0]?.authorization).toBeUndefined()
    expect(fixture.state.refreshes).toBe(0) // a foreign 401 is not ours to fix
  })

  it('a 401 leads to one refresh and one retry', async () => {
    api.state.valid.clear() // the token was revoked server-side
    const res = await client.fetch(`${api.origin}/me`)
    expect(res.status).toBe(200)
    expect(fixture.state.refreshes).toBe(1)
    expect(api.state.seen).toHaveLength(2)
  })

  it('200 concurrent requests with a revoked token make exactly 1 refresh call, and all succeed', async () => {
    api.state.valid.clear()
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.fetch(`${api.origin}/item/${i}`)),
    )
    expect(responses.every((r) => r.status === 200)).toBe(true)
    expect(fixture.state.refreshes).toBe(1)
  })

  it('replays a POST body byte for byte on the retry', async () => {
    api.state.valid.clear()
    const body = JSON.stringify({ emoji: '🔑', n: 42, text: 'é'.repeat(1000) })
    const res = await client.fetch(`${api.origin}/orders`, { method: 'POST', body })
    expect(res.status).toBe(200)
    expect(api.state.seen).toHaveLength(2)
    expect(api.state.seen[0]?.body.equals(api.state.seen[1]?.body as Buffer)).toBe(true)
    expect(api.state.seen[1]?.body.toString('utf8')).toBe(body)
  })

  it('does not retry a stream body: the 401 goes back to the caller', async () => {
    api.state.valid.clear()
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('chunk'))
        controller.close()
      },
    })
    const res = await client.fetch(`${api.origin}/upload`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(401)
    expect(api.state.seen).toHaveLength(1)
  })

  it('a second 401 after the retry goes back to the caller, with no loop', async () => {
    api.state.valid.clear()
    fixture.method.refresh = async () => ({
      accessToken: fakeJwt({ sub: 'user-1', exp: Date.now() / 1000 + 300 }),
    })
    const res = await client.fetch(`${api.origin}/me`)
    expect(res.status).toBe(401)
    expect(api.state.seen).toHaveLength(2)
  })

  it('aborting during the wait for a refresh rejects with the abort reason', async () => {
    fixture.state.refreshDelayMs = 500
    const refreshing = client.refresh()
    const controller = new AbortController()
    const pending = client.fetch(`${api.origin}/me`, { signal: controller.signal })
    controller.abort(new Error('user left'))
    await expect(pending).rejects.toThrow('user left')
    await refreshing
  })

  it('a timeout bounds the wait', async () => {
    fixture.state.refreshDelayMs = 500
    const refreshing = client.refresh()
    await expect(client.fetch(`${api.origin}/me`, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    })
    await refreshing
  })

  it('requests that start during a refresh wait for it and use the new token', async () => {
    const old = client.getSession()?.accessToken
    fixture.state.refreshDelayMs = 100
    const refreshing = client.refresh()
    const res = await client.fetch(`${api.origin}/me`)
    expect(res.status).toBe(200)
    expect(api.state.seen[0]?.authorization).not.toBe(`Bearer ${old}`)
    expect(api.state.seen[0]?.authorization).toBe(`Bearer ${await refreshing}`)
  })

  it('never sends an expired token: a tab that slept past expiry refreshes before sending', async () => {
    let skewMs = 0
    // The method's server reads the client's (sleeping) clock.
    const sleepy = testClient({ apiOrigins: [api.origin], environment: { now: () => Date.now() + skewMs } })
    const issue = sleepy.method.refresh?.bind(sleepy.method)
    sleepy.method.refresh = async (credentials, ctx) => {
      const next = await (issue as NonNullable<typeof issue>)(credentials, ctx)
      api.state.valid.add(next.accessToken)
      return next
    }
    const c = sleepy.client
    const first = await c.signIn()
    api.state.valid.add(first.accessToken)
    skewMs = 10 * 60_000 // the laptop slept ten minutes; no timer fired
    const res = await c.fetch(`${api.origin}/me`)
    expect(res.status).toBe(200)
    expect(sleepy.state.refreshes).toBe(1)
    expect(api.state.seen.map((s) => s.authorization)).not.toContain(`Bearer ${first.accessToken}`)
  })

  it('DPoP: binds the proof to the request and answers a use_dpop_nonce challenge once', async () => {
    const { client: dpopClient } = testClient({ methods: [], apiOrigins: [api.origin] })
    const token = fakeJwt({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 300 })
    const session = await dpopClient.setTokens({ accessToken: token, tokenType: 'DPoP' })
    api.state.valid.add(token)
    api.state.dpopJkt = session.keyThumbprint ?? null
    api.state.requireDPoPNonce = 'n-1'
    const res = await dpopClient.fetch(`${api.origin}/resource?x=1`, { method: 'PUT', body: 'x' })
    expect(res.status).toBe(200)
    expect(api.state.seen).toHaveLength(2)
    expect(api.state.seen[0]?.authorization).toBe(`DPoP ${token}`)
    // The nonce is remembered: the next request needs no challenge.
    api.state.seen.length = 0
    expect((await dpopClient.fetch(`${api.origin}/resource`)).status).toBe(200)
    expect(api.state.seen).toHaveLength(1)
  })

  it('DPoP: tokenType "dpop" in any case keeps the resource server\'s nonce', async () => {
    for (const tokenType of ['dpop', 'DPOP']) {
      const { client: dpopClient } = testClient({ methods: [], apiOrigins: [api.origin] })
      const token = fakeJwt({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 300, t: tokenType })
      const session = await dpopClient.setTokens({ accessToken: token, tokenType })
      api.state.valid.add(token)
      api.state.dpopJkt = session.keyThumbprint ?? null
      api.state.requireDPoPNonce = `n-${tokenType}`
      api.state.seen.length = 0
      const res = await dpopClient.fetch(`${api.origin}/resource`)
      expect(res.status).toBe(200)
      expect(api.state.seen).toHaveLength(2) // one challenge, one answer
      api.state.seen.length = 0
      expect((await dpopClient.fetch(`${api.origin}/resource`)).status).toBe(200)
      expect(api.state.seen).toHaveLength(1) // the nonce was remembered
    }
  })

  it('DPoP: a nonce challenge to a stream body returns the 401 (a stream cannot be sent twice); the next request carries the nonce', async () => {
    const { client: dpopClient } = testClient({ methods: [], apiOrigins: [api.origin] })
    const token = fakeJwt({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 300 })
    const session = await dpopClient.setTokens({ accessToken: token, tokenType: 'DPoP' })
    api.state.valid.add(token)
    api.state.dpopJkt = session.keyThumbprint ?? null
    api.state.requireDPoPNonce = 'n-stream'
    const stream = () =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('chunk'))
          controller.close()
        },
      })
    const init = () => ({ method: 'POST', body: stream(), duplex: 'half' }) as RequestInit
    const res = await dpopClient.fetch(`${api.origin}/upload`, init())
    expect(res.status).toBe(401)
    expect(res.headers.get('dpop-nonce')).toBe('n-stream')
    expect(api.state.seen).toHaveLength(1)
    // The caller sends its stream again: the remembered nonce makes it go through at once.
    api.state.seen.length = 0
    const again = await dpopClient.fetch(`${api.origin}/upload`, init())
    expect(again.status).toBe(200)
    expect(api.state.seen).toHaveLength(1)
    expect(api.state.seen[0]?.body.toString('utf8')).toBe('chunk')
  })
})
