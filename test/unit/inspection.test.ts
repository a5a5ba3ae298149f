import { createInspector } from '@statelyai/inspect'
import { describe, expect, it, vi } from 'vitest'
import { type AuthMethod, inspectionSanitizers, SessionError } from '../../src/index.js'
import { inspect } from '../../src/inspect/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { testClient } from '../kit/testClient.js'

const PASSWORD = 'pw-Correct-Horse-7731'
const CODE = 'code-SplxlOBeZQQYbYS6WxSbIA'
const STATE = 'state-af0ifjsldkj-31'

/** A password method: its secret arrives as `signIn` params. */
const passwordMethod: AuthMethod<{ user: string; password: string }> = {
  id: 'password',
  async signIn({ user, password }, ctx) {
    if (password !== PASSWORD) throw new SessionError('SIGN_IN_FAILED', 'Wrong password')
    const now = Math.floor(ctx.now() / 1000)
    return { accessToken: fakeJwt({ sub: user, iat: now, exp: now + 300 }), refreshToken: 'rt-password-1' }
  },
}

/** A redirect method: its secrets arrive in the callback URL (`code`, `state`). */
const redirectMethod: AuthMethod = {
  id: 'sso',
  async signIn() {
    return {
      type: 'redirect',
      url: `https://sso.example/authorize?client_id=shop&state=${STATE}`,
      state: STATE,
    }
  },
  async completeRedirect(url, ctx) {
    if (url.searchParams.get('code') !== CODE) throw new SessionError('REDIRECT_STATE_MISMATCH', 'Bad code')
    const now = Math.floor(ctx.now() / 1000)
    return { accessToken: fakeJwt({ sub: 'sso-user', iat: now, exp: now + 300 }) }
  },
}

describe('inspection with @statelyai/inspect', () => {
  it('streams the lifecycle to an inspector, with every token redacted', async () => {
    const received: unknown[] = []
    const inspector = createInspector({ send: (event) => received.push(event) }, { ...inspectionSanitizers })
    const { client } = testClient({ inspect: inspector.inspect })
    const session = await client.signIn()
    await client.refresh()
    await new Promise((r) => setTimeout(r, 100)) // the inspector delivers asynchronously
    inspector.stop()
    client.destroy()

    const text = JSON.stringify(received)
    const snapshots = received.filter((e) => (e as { type?: string }).type === '@xstate.snapshot')
    expect(snapshots.length).toBeGreaterThan(3)
    expect(text).toContain('"active"')
    expect(text).toContain('"refreshing"')
    expect(text).toContain('[redacted]')
    expect(text).not.toContain(session.accessToken)
    expect(text).not.toMatch(/rt-\d/) // the scripted method's refresh tokens
  })

  it('without sanitizers the tokens would leak: the redaction is what keeps them out', async () => {
    const received: unknown[] = []
    const inspector = createInspector({ send: (event) => received.push(event) })
    const { client } = testClient({ inspect: inspector.inspect })
    const session = await client.signIn()
    await new Promise((r) => setTimeout(r, 100)) // the inspector delivers asynchronously
    inspector.stop()
    client.destroy()
    expect(JSON.stringify(received)).toContain(session.accessToken)
  })

  it('sign-in parameters (a password) and the callback URL (code, state) never reach the inspector', async () => {
    const received: unknown[] = []
    const inspector = createInspector({ send: (event) => received.push(event) }, { ...inspectionSanitizers })
    const { client } = testClient({
      methods: [passwordMethod, redirectMethod],
      navigate: () => undefined,
      inspect: inspector.inspect,
    })
    await client.signIn({ user: 'ada', password: PASSWORD })
    await client.signOut()
    void client.signIn(undefined, { method: 'sso' }).catch(() => undefined)
    await vi.waitFor(() => expect(client.getStatus()).toBe('oidcRedirectPending'))
    await client.handleRedirectCallback(`https://shop.example/callback?code=${CODE}&state=${STATE}`)
    expect(client.getSession()?.subject).toBe('sso-user')
    await new Promise((r) => setTimeout(r, 100)) // the inspector delivers asynchronously
    inspector.stop()
    client.destroy()

    const text = JSON.stringify(received)
    expect(text).toContain('"oidcRedirectPending"') // the flow was inspected
    expect(text).toContain('REDIRECT_CALLBACK')
    expect(text).toContain('"SIGN_IN"')
    expect(text).toContain('sso.example/authorize?client_id=shop') // only the secret parameters go
    for (const secret of [PASSWORD, CODE, STATE, 'rt-password-1']) expect(text).not.toContain(secret)
  })

  it('inspect({ send }) is the one-line form: redacted events to a function', async () => {
    const received: unknown[] = []
    const inspector = inspect({ send: (event) => received.push(event) })
    const { client } = testClient({ methods: [passwordMethod], inspect: inspector })
    const session = await client.signIn({ user: 'ada', password: PASSWORD })
    await new Promise((r) => setTimeout(r, 100)) // the inspector delivers asynchronously
    inspector.stop()
    client.destroy()
    const text = JSON.stringify(received)
    expect(text).toContain('"active"')
    for (const secret of [PASSWORD, session.accessToken, 'rt-password-1']) expect(text).not.toContain(secret)
  })

  it('inspect() outside a browser, with no WebSocket url or send function, says what it needs', () => {
    expect(() => inspect()).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }))
  })
})
