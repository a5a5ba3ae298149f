import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type WebSocket, WebSocketServer } from 'ws'
import { type AuthMethod, SessionError } from '../../src/index.js'
import { inspect } from '../../src/inspect/index.js'
import { testClient } from '../kit/testClient.js'
import { startTokenServer, type TokenServer } from '../kit/tokenServer.js'
import { makeOidcClient, signInThroughProvider } from '../utils/oidcClient.js'
import { type OidcFixture, startOidcFixture } from '../utils/oidcFixture.js'

/** A WebSocket receiver on loopback, as `createWebSocketReceiver` would connect to: it keeps every message. */
async function startReceiver() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const messages: string[] = []
  const sockets = new Set<WebSocket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('message', (data) => messages.push(String(data)))
  })
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.terminate()
        server.close(() => resolve())
      }),
  }
}

/** A fetch that remembers every token a server hands out (access, refresh and ID tokens). */
function recordingFetch(issued: Set<string>): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init)
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as Record<string, unknown> | null
      for (const field of ['access_token', 'refresh_token', 'id_token']) {
        if (typeof body?.[field] === 'string') issued.add(body[field] as string)
      }
    }
    return response
  }
}

interface Received {
  type: string
  sessionId?: string
  name?: string
  event?: { type?: string }
  snapshot?: { value?: unknown }
}

/** The top-level lifecycle states the root actor went through, in order, without repeats. */
function lifecycle(messages: string[]): string[] {
  const events = messages.map((m) => JSON.parse(m) as Received)
  const root = events.find((e) => e.type === '@xstate.actor' && e.name === 'session')?.sessionId
  const states: string[] = []
  for (const e of events) {
    if (e.type !== '@xstate.snapshot' || e.sessionId !== root || e.snapshot?.value === undefined) continue
    const value = e.snapshot.value
    const state = typeof value === 'string' ? value : Object.keys(value as object)[0]
    if (state && states[states.length - 1] !== state) states.push(state)
  }
  return states
}

function eventTypes(messages: string[]): Set<string> {
  return new Set(
    messages
      .map((m) => JSON.parse(m) as Received)
      .filter((e) => e.type === '@xstate.event')
      .map((e) => e.event?.type ?? ''),
  )
}

/** Waits (bounded) until the receiver has seen the lifecycle end in `last` after everything before it. */
async function receivedUntil(messages: string[], expected: string[]) {
  for (let i = 0; i < 500; i++) {
    if (isSubsequence(expected, lifecycle(messages))) return
    await new Promise((r) => setTimeout(r, 10))
  }
}

function isSubsequence(expected: string[], actual: string[]): boolean {
  let at = 0
  for (const state of actual) if (state === expected[at]) at++
  return at === expected.length
}

describe('tessera-session/inspect over a WebSocket', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  let fixture: OidcFixture
  let tokenServer: TokenServer
  beforeAll(async () => {
    receiver = await startReceiver()
    fixture = await startOidcFixture()
    tokenServer = await startTokenServer({ accessTokenTtl: 300 })
  })
  afterAll(async () => {
    await Promise.all([receiver.close(), fixture.close(), tokenServer.close()])
  })

  it('an OIDC session: every transition of sign-in, refresh and sign-out arrives, no token, code or state does', async () => {
    receiver.messages.length = 0
    const issued = new Set<string>()
    const inspector = inspect({ url: receiver.url })
    const { client, navigated } = makeOidcClient(fixture, {
      fetch: recordingFetch(issued),
      inspect: inspector,
    })
    try {
      const { callback } = await signInThroughProvider(client, navigated)
      await client.refresh()
      await client.signOut()
      const expected = [
        'signedOut',
        'authenticating',
        'oidcRedirectPending',
        'active',
        'refreshing',
        'active',
      ]
      await receivedUntil(receiver.messages, [...expected, 'signedOut'])

      expect(lifecycle(receiver.messages)).toEqual([...expected, 'signedOut'])
      for (const type of ['SIGN_IN', 'REDIRECT_CALLBACK', 'REFRESH', 'SIGN_OUT']) {
        expect(eventTypes(receiver.messages), type).toContain(type)
      }
      const code = callback.searchParams.get('code') as string
      const state = callback.searchParams.get('state') as string
      const secrets = [...issued, code, state]
      expect(issued.size).toBeGreaterThanOrEqual(5) // access, refresh and ID token, twice (one rotated refresh token)
      const text = receiver.messages.join('\n')
      expect(text).toContain('[redacted]')
      for (const secret of secrets)
        expect(text.includes(secret), 'a secret reached the inspector').toBe(false)
    } finally {
      inspector.stop()
    }
  })

  it('a password session: the password given to signIn() and every token stay out', async () => {
    receiver.messages.length = 0
    const issued = new Set<string>()
    const password = 'pw-Tr0ub4dor&3-inspect'
    const passwordMethod: AuthMethod<{ user: string; password: string }> = {
      id: 'password',
      async signIn({ user, password }, ctx) {
        const res = await ctx.fetch(`${tokenServer.url}/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ sub: user, password }),
          signal: ctx.signal,
        })
        const body = await res.json()
        return {
          accessToken: body.access_token,
          refreshToken: body.refresh_token,
          expiresAt: body.expires_at,
        }
      },
      async refresh(credentials, ctx) {
        const res = await ctx.fetch(`${tokenServer.url}/refresh`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refresh_token: credentials.refreshToken }),
          signal: ctx.signal,
        })
        if (res.status === 400) throw new SessionError('SESSION_EXPIRED', 'Refresh rejected')
        const body = await res.json()
        return {
          accessToken: body.access_token,
          refreshToken: body.refresh_token,
          expiresAt: body.expires_at,
        }
      },
    }
    const inspector = inspect({ url: receiver.url })
    const { client } = testClient({
      methods: [passwordMethod],
      fetch: recordingFetch(issued),
      inspect: inspector,
    })
    try {
      await client.signIn({ user: 'ada', password })
      await client.refresh()
      await client.signOut()
      const expected = ['signedOut', 'authenticating', 'active', 'refreshing', 'active', 'signedOut']
      await receivedUntil(receiver.messages, expected)

      expect(lifecycle(receiver.messages)).toEqual(expected)
      expect(tokenServer.counters.refreshCalls).toBe(1)
      expect(issued.size).toBe(4) // two access tokens, two refresh tokens
      const text = receiver.messages.join('\n')
      for (const secret of [password, ...issued]) {
        expect(text.includes(secret), 'a secret reached the inspector').toBe(false)
      }
    } finally {
      inspector.stop()
    }
  })
})
