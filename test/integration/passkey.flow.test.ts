// The passkey method against the demo's passkey server (@simplewebauthn/server) on 127.0.0.1, with
// a software authenticator that makes real P-256 passkeys: the whole lifecycle, and proof that the
// server verifies every part of an assertion (each tampered copy is refused, the untouched one is not).
import { createHash } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import type { SessionError } from '../../src/index.js'
import { passkey } from '../../src/passkey/index.js'
import { testClient } from '../kit/testClient.js'
import { passkeySuite } from '../utils/passkeyFixture.js'

const suite = passkeySuite({ accessTokenTtl: 300 })

type Json = Record<string, unknown>
/** Rewrites the JSON body of requests to one endpoint (like a man in the middle), and records answers. */
function newClient(rewrite?: { path: string; change: (body: Json) => Json }) {
  const answers: Array<{ path: string; status: number; body: Json }> = []
  const { client } = testClient({
    methods: [passkey(suite.fixture.methodOptions)],
    // The page claims localhost; the server listens on 127.0.0.1, another origin for client.fetch.
    apiOrigins: [new URL(suite.fixture.base).origin],
    fetch: async (input, init) => {
      const path = new URL(String(input)).pathname
      let body = init?.body
      if (rewrite && path.endsWith(rewrite.path) && typeof body === 'string') {
        body = JSON.stringify(rewrite.change(JSON.parse(body) as Json))
      }
      const res = await fetch(input, { ...init, ...(body !== undefined ? { body } : {}) })
      const text = await res.clone().text()
      answers.push({ path, status: res.status, body: text ? (JSON.parse(text) as Json) : {} })
      return res
    },
  })
  return { client, answers }
}

const decode = (b64: string) => Buffer.from(b64, 'base64url')
const encode = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url')
const flipLastByte = (b64: string) => {
  const bytes = decode(b64)
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01
  return encode(bytes)
}
const withClientData = (response: Json, change: (clientData: Json) => Json) => {
  const inner = response.response as Json
  const clientData = JSON.parse(decode(String(inner.clientDataJSON)).toString('utf8')) as Json
  return {
    ...response,
    response: { ...inner, clientDataJSON: encode(Buffer.from(JSON.stringify(change(clientData)))) },
  }
}
const withAuthData = (response: Json, change: (authData: Buffer) => void) => {
  const inner = response.response as Json
  const authData = decode(String(inner.authenticatorData))
  change(authData)
  return { ...response, response: { ...inner, authenticatorData: encode(authData) } }
}

describe('passkeys against a real WebAuthn server', () => {
  it('register, call the API, refresh with rotation, sign out (passkey kept, tokens revoked), one-prompt sign-in', async () => {
    const { client, answers } = newClient()
    const session = await client.signIn({ register: true, name: 'ada', displayName: 'Ada Lovelace' })
    expect(session).toMatchObject({ method: 'passkey', tokenType: 'Bearer', claims: { name: 'ada' } })
    expect(suite.fixture.server.users.get(session.subject)).toMatchObject({ displayName: 'Ada Lovelace' })

    // The server's own API route accepts its tokens, through client.fetch.
    const me = await client.fetch(`${suite.fixture.base}me`)
    expect(await me.json()).toMatchObject({ ok: true, sub: session.subject, name: 'ada', passkeys: 1 })

    const firstRefresh = answers.find((a) => a.path.endsWith('register/verify'))?.body.refresh_token
    const token = await client.refresh()
    expect(token).not.toBe(session.accessToken)
    expect(client.getSession()?.id).toBe(session.id)
    const secondRefresh = answers.at(-1)?.body.refresh_token
    expect(secondRefresh).not.toBe(firstRefresh)

    // The rotated-out refresh token is dead, and using it again ends its whole family.
    const reuse = await fetch(suite.fixture.methodOptions.refreshUrl ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: firstRefresh }),
    })
    expect(reuse.status).toBe(401)
    expect(suite.fixture.server.counters.refreshReuseDetections).toBe(1)
    await expect(client.refresh()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(client.getStatus()).toBe('expired')

    const again = await client.signIn()
    const logoutsBefore = suite.fixture.server.counters.logouts
    const liveRefresh = answers.at(-1)?.body.refresh_token
    await client.signOut()
    await vi.waitFor(() => expect(suite.fixture.server.counters.logouts).toBe(logoutsBefore + 1))
    const afterLogout = await fetch(suite.fixture.methodOptions.refreshUrl ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: liveRefresh }),
    })
    expect(afterLogout.status).toBe(401)
    // …and the passkey is still on file on both sides: the next sign-in is a single prompt.
    expect(suite.authenticator.passkeys).toHaveLength(1)
    expect(suite.fixture.server.credentials.size).toBeGreaterThan(0)
    const getsBefore = suite.authenticator.calls.get
    const third = await client.signIn()
    expect(suite.authenticator.calls.get - getsBefore).toBe(1)
    expect(suite.authenticator.calls.create).toBe(1)
    expect(third.subject).toBe(again.subject)
    expect(third.subject).toBe(session.subject)
  })

  // Each rewrite gets a fresh, genuine assertion from the authenticator and changes one thing.
  const otherRpHash = createHash('sha256').update('evil.example').digest()
  const tampering: Array<[string, (body: Json) => Json, RegExp]> = [
    [
      'a flipped signature bit',
      (b) => ({
        ...b,
        response: {
          ...(b.response as Json),
          signature: flipLastByte(String((b.response as Json).signature)),
        },
      }),
      /invalid_response/,
    ],
    [
      'another origin',
      (b) => withClientData(b, (c) => ({ ...c, origin: 'https://evil.example' })),
      /origin/i,
    ],
    ['a registration type', (b) => withClientData(b, (c) => ({ ...c, type: 'webauthn.create' })), /type/i],
    [
      'another challenge',
      (b) => withClientData(b, (c) => ({ ...c, challenge: encode(Buffer.alloc(32, 7)) })),
      /invalid_challenge/,
    ],
    ['another relying party', (b) => withAuthData(b, (a) => otherRpHash.copy(a, 0)), /rp/i],
    [
      'the user-verified flag cleared',
      (b) =>
        withAuthData(b, (a) => {
          a[32] = (a[32] ?? 0) & ~0x04
        }),
      /invalid_response/,
    ],
    [
      'a bumped signature counter',
      (b) => withAuthData(b, (a) => a.writeUInt32BE(a.readUInt32BE(33) + 1000, 33)),
      /invalid_response/,
    ],
    [
      "another user's handle",
      (b) => ({ ...b, response: { ...(b.response as Json), userHandle: encode(Buffer.alloc(16, 1)) } }),
      /user handle/,
    ],
  ]
  for (const [what, change, reason] of tampering) {
    it(`refuses an assertion with ${what}, and a signed-in session is untouched`, async () => {
      const honest = newClient()
      const session = await honest.client.signIn({ register: true, name: 'ada' })
      const { client } = newClient({ path: 'authenticate/verify', change })
      const refusedBefore = suite.fixture.server.counters.refused
      const error = await client.signIn().catch((e: SessionError) => e)
      expect(error).toMatchObject({ code: 'SIGN_IN_FAILED' })
      expect(suite.fixture.server.counters.refused).toBe(refusedBefore + 1)
      expect(suite.fixture.server.lastRefusal).toMatch(reason)
      expect(client.getStatus()).toBe('signedOut')
      // The control: the same authenticator and server, untouched, sign in fine.
      const again = await honest.client.signIn()
      expect(again.subject).toBe(session.subject)
    })
  }

  it('refuses a replayed assertion: challenges are single use', async () => {
    let captured: Json | undefined
    const { client } = newClient({
      path: 'authenticate/verify',
      change: (body) => {
        captured = body
        return body
      },
    })
    await client.signIn({ register: true, name: 'ada' })
    await client.signIn()
    const replay = await fetch(suite.fixture.methodOptions.authenticationVerifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(captured),
    })
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ error: 'invalid_challenge' })
  })

  it('refuses a registration from another origin or for another challenge', async () => {
    for (const change of [
      (b: Json) => withClientData(b, (c) => ({ ...c, origin: 'https://evil.example' })),
      (b: Json) => withClientData(b, (c) => ({ ...c, challenge: encode(Buffer.alloc(32, 9)) })),
    ]) {
      const { client } = newClient({ path: 'register/verify', change })
      const users = suite.fixture.server.users.size
      await expect(client.signIn({ register: true, name: 'mallory' })).rejects.toMatchObject({
        code: 'SIGN_IN_FAILED',
      })
      expect(suite.fixture.server.users.size).toBe(users)
    }
  })
})
