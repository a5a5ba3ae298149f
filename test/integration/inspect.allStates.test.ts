// Issue 10 ("See it live"): Stately's own createWebSocketInspector, given tessera's
// inspectionSanitizers, sends every lifecycle state (all seven, restoring and expired included) to a
// local WebSocket receiver, and no token and no password.
import type { AddressInfo } from 'node:net'
import { createWebSocketInspector } from '@statelyai/inspect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type WebSocket, WebSocketServer } from 'ws'
import {
  type AuthMethod,
  createSessionClient,
  memoryKeyStore,
  SessionError,
  type StorageAdapter,
} from '../../src/index.js'
import { inspectionSanitizers } from '../../src/inspect/index.js'
import { fakeJwt } from '../kit/jwt.js'

const STATES = [
  'restoring',
  'signedOut',
  'authenticating',
  'oidcRedirectPending',
  'active',
  'refreshing',
  'expired',
]

describe('createWebSocketInspector with inspectionSanitizers', () => {
  let server: WebSocketServer
  const sockets = new Set<WebSocket>()
  const messages: string[] = []
  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    server.on('connection', (socket) => {
      sockets.add(socket)
      socket.on('message', (data) => messages.push(String(data)))
    })
  })
  afterAll(async () => {
    for (const socket of sockets) socket.terminate()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('the receiver sees restoring, signedOut, authenticating, oidcRedirectPending, active, refreshing and expired; no secret', async () => {
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
    const secrets: string[] = ['pw-inspect-Tr0ub4dor&3']
    const now = () => Math.floor(Date.now() / 1000)
    const issue = (sub: string) => {
      const accessToken = fakeJwt({ sub, iat: now(), exp: now() + 3600 })
      const refreshToken = `rt-${crypto.randomUUID()}`
      secrets.push(accessToken, refreshToken)
      return { accessToken, refreshToken }
    }
    const password: AuthMethod<{ user: string; password: string }, 'password'> = {
      id: 'password',
      async signIn({ user }) {
        return issue(user)
      },
      async refresh() {
        throw new SessionError('SESSION_EXPIRED', 'Refresh rejected')
      },
    }
    const redirect: AuthMethod<undefined, 'sso'> = {
      id: 'sso',
      async signIn() {
        const state = `state-${crypto.randomUUID()}`
        secrets.push(state)
        return { type: 'redirect' as const, url: `http://127.0.0.1:9/authorize?state=${state}`, state }
      },
      isRedirectCallback: (u) => u.pathname === '/cb',
      async completeRedirect() {
        return issue('sso-user')
      },
    }
    // An asynchronous storage: the client starts in `restoring`.
    const map = new Map<string, string>()
    const storage: StorageAdapter = {
      get: async (k) => map.get(k) ?? null,
      set: async (k, v) => void map.set(k, v),
      remove: async (k) => void map.delete(k),
    }
    const inspector = createWebSocketInspector({ url, ...inspectionSanitizers })
    const client = createSessionClient({
      appId: 'inspect-all',
      methods: [password, redirect],
      storage,
      keyStore: memoryKeyStore(),
      sync: false,
      navigate: () => {},
      inspect: inspector.inspect,
    })
    try {
      await client.ready()
      // A redirect sign-in does not resolve (the page would navigate away): wait for its state.
      void client.signIn(undefined, { method: 'sso' }).catch(() => {})
      for (let i = 0; i < 200 && client.getStatus() !== 'oidcRedirectPending'; i++)
        await new Promise((r) => setTimeout(r, 5))
      expect(client.getStatus()).toBe('oidcRedirectPending')
      await client.signOut()
      await client.signIn({ user: 'ada', password: secrets[0] as string })
      await client.refresh().catch(() => {}) // refreshing → expired
      expect(client.getStatus()).toBe('expired')
      let seen: string[] = []
      for (let i = 0; i < 300 && !STATES.every((s) => seen.includes(s)); i++) {
        await new Promise((r) => setTimeout(r, 10))
        seen = statesOf(messages)
      }
      expect(new Set(seen)).toEqual(new Set(STATES))
      const text = messages.join('\n')
      for (const secret of secrets)
        expect(text.includes(secret), 'a secret reached the inspector').toBe(false)
    } finally {
      client.destroy()
      inspector.stop()
    }
  })
})

function statesOf(messages: string[]): string[] {
  const events = messages.map(
    (m) =>
      JSON.parse(m) as { type: string; name?: string; sessionId?: string; snapshot?: { value?: unknown } },
  )
  const root = events.find((e) => e.type === '@xstate.actor' && e.name === 'session')?.sessionId
  const states: string[] = []
  for (const e of events) {
    if (e.type !== '@xstate.snapshot' || e.sessionId !== root || e.snapshot?.value === undefined) continue
    const v = e.snapshot.value
    const s = typeof v === 'string' ? v : Object.keys(v as object)[0]
    if (s && states[states.length - 1] !== s) states.push(s)
  }
  return states
}
