// Every way a passkey sign-in can end, through the client: a hand-made navigator.credentials (the
// soft authenticator, failing with the DOMException names browsers use) and the demo's real passkey
// server on 127.0.0.1. Each failure has its own code and leaves the earlier state as it was.
import { describe, expect, it, vi } from 'vitest'
import type { Environment, SessionError, SessionErrorCode } from '../../src/index.js'
import { type PasskeyOptions, passkey } from '../../src/passkey/index.js'
import { testClient } from '../kit/testClient.js'
import { passkeySuite } from '../utils/passkeyFixture.js'
import { deviceWithoutAuthenticator } from '../utils/softAuthenticator.js'

const suite = passkeySuite()

/** A client whose only method is a passkey method on the fixture; `requests` lists the URLs it fetched. */
function newClient(options: Partial<PasskeyOptions> = {}, environment?: Partial<Environment>) {
  const requests: string[] = []
  const method = passkey({ ...suite.fixture.methodOptions, ...options })
  const { client } = testClient({
    methods: [method],
    fetch: (input, init) => {
      requests.push(new URL(String(input)).pathname)
      return fetch(input, init)
    },
    ...(environment ? { environment } : {}),
  })
  const errors: SessionError[] = []
  client.errors$.subscribe((e) => errors.push(e))
  return { client, method, requests, errors }
}

async function signedIn(options: Partial<PasskeyOptions> = {}, environment?: Partial<Environment>) {
  const made = newClient(options, environment)
  const session = await made.client.signIn({ register: true, name: 'ada' })
  return { ...made, session }
}

describe('passkey sign-in: the outcomes', () => {
  it('registers, signs out keeping the passkey, and signs in again with one prompt', async () => {
    const { client, session } = await signedIn()
    expect(session.method).toBe('passkey')
    expect(session.claims).toMatchObject({ name: 'ada' })
    expect(suite.fixture.server.users.get(session.subject)?.name).toBe('ada')
    expect(suite.authenticator.calls.create).toBe(1)

    await client.signOut()
    expect(client.getSession()).toBeNull()
    // Sign-out revoked tokens; the passkey is still on the authenticator and on the server.
    expect(suite.authenticator.passkeys).toHaveLength(1)
    expect([...suite.fixture.server.credentials.values()].some((c) => c.userId === session.subject)).toBe(
      true,
    )

    const again = await client.signIn()
    expect(suite.authenticator.calls.get).toBe(1)
    expect(again.subject).toBe(session.subject)
    expect(again.method).toBe('passkey')
  })

  const failures: Array<[string, 'create' | 'get', SessionErrorCode]> = [
    ['NotAllowedError', 'get', 'PASSKEY_CANCELLED'],
    ['NotAllowedError', 'create', 'PASSKEY_CANCELLED'],
    ['ConstraintError', 'create', 'PASSKEY_UNAVAILABLE'],
    ['NotSupportedError', 'create', 'PASSKEY_UNAVAILABLE'],
    ['NotSupportedError', 'get', 'PASSKEY_UNAVAILABLE'],
    ['SecurityError', 'get', 'PASSKEY_NOT_SUPPORTED'],
    ['SecurityError', 'create', 'PASSKEY_NOT_SUPPORTED'],
    ['InvalidStateError', 'create', 'PASSKEY_ALREADY_REGISTERED'],
    ['InvalidStateError', 'get', 'SIGN_IN_FAILED'],
    ['AbortError', 'get', 'ABORTED'],
    ['UnknownError', 'get', 'SIGN_IN_FAILED'],
  ]
  for (const [name, call, code] of failures) {
    it(`${name} from ${call}() is ${code}, and the existing session stays as it was`, async () => {
      const { client, session, errors } = await signedIn()
      const before = client.getSession()
      suite.authenticator.behaviour = { kind: 'throw', name }
      const attempt = call === 'create' ? client.signIn({ register: true, name: 'bob' }) : client.signIn()
      const error = await attempt.catch((e: SessionError) => e)
      expect(error).toMatchObject({ name: 'SessionError', code })
      expect((error as SessionError).cause).toMatchObject({ name })
      expect(client.getStatus()).toBe('active')
      expect(client.getSession()).toEqual(before)
      expect(client.getSession()?.id).toBe(session.id)
      expect(errors.map((e) => e.code)).toContain(code)
    })
  }

  it('a failure while signed out stays signed out', async () => {
    const { client } = newClient()
    suite.authenticator.behaviour = { kind: 'throw', name: 'NotAllowedError' }
    await expect(client.signIn({ register: true, name: 'ada' })).rejects.toMatchObject({
      code: 'PASSKEY_CANCELLED',
    })
    expect(client.getStatus()).toBe('signedOut')
    expect(client.getSession()).toBeNull()
  })

  it("a prompt nobody answers times out on the client's clock (PASSKEY_TIMEOUT) and is cancelled", async () => {
    // The ceremony's time limit is the only 45 s timer: fire it by hand, no waiting.
    const timers: Array<{ ms: number; fire: () => void }> = []
    const environment: Partial<Environment> = {
      setTimeout: (callback, ms) => {
        const handle = setTimeout(callback, ms === 45_000 ? 2 ** 31 - 1 : ms)
        timers.push({ ms, fire: callback })
        return handle
      },
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    }
    const { client, session } = await signedIn({ timeoutMs: 45_000 }, environment)
    timers.length = 0 // the registration's limit, already cleared
    suite.authenticator.behaviour = { kind: 'hang' }
    const attempt = client.signIn().catch((e: SessionError) => e)
    await vi.waitFor(() => expect(timers.some((t) => t.ms === 45_000)).toBe(true))
    timers.find((t) => t.ms === 45_000)?.fire()
    expect(await attempt).toMatchObject({ code: 'PASSKEY_TIMEOUT' })
    expect(suite.authenticator.calls.aborted).toBe(1) // the browser's prompt was cancelled, not left open
    expect(client.getSession()?.id).toBe(session.id)
    expect(client.getStatus()).toBe('active')
  })

  it("the time limit reaches the browser too (options.timeout): the server's unless set", async () => {
    const seen: Array<number | undefined> = []
    const original = navigator.credentials.create
    vi.stubGlobal('navigator', {
      credentials: {
        get: navigator.credentials.get,
        create: (options: CredentialCreationOptions) => {
          seen.push(options.publicKey?.timeout)
          return original(options)
        },
      },
    })
    await newClient({ timeoutMs: 12_345 }).client.signIn({ register: true, name: 'ada' })
    await newClient().client.signIn({ register: true, name: 'bob' })
    expect(seen).toEqual([12_345, 60_000]) // @simplewebauthn/server's default
  })

  it('no authenticator on the device: the prompt ends or times out with PASSKEY_UNAVAILABLE', async () => {
    const { client } = newClient({ timeoutMs: 30 })
    deviceWithoutAuthenticator(suite.authenticator)
    await expect(client.signIn({ register: true, name: 'ada' })).rejects.toMatchObject({
      code: 'PASSKEY_UNAVAILABLE',
    })
    suite.authenticator.behaviour = { kind: 'hang' }
    await expect(client.signIn()).rejects.toMatchObject({ code: 'PASSKEY_UNAVAILABLE' })
    expect(client.getStatus()).toBe('signedOut')
  })

  it('a browser that cannot say what it has (no Level 3 capabilities) gets PASSKEY_CANCELLED, not UNAVAILABLE', async () => {
    suite.authenticator.capabilities = {
      ...suite.authenticator.capabilities,
      clientCapabilities: false,
      userVerifyingPlatformAuthenticator: false,
    }
    suite.authenticator.install(suite.fixture.pageOrigin)
    const { client } = newClient()
    suite.authenticator.behaviour = { kind: 'throw', name: 'NotAllowedError' }
    await expect(client.signIn({ register: true, name: 'ada' })).rejects.toMatchObject({
      code: 'PASSKEY_CANCELLED',
    })
  })

  it('a browser without WebAuthn gets PASSKEY_NOT_SUPPORTED before any server call', async () => {
    vi.stubGlobal('PublicKeyCredential', undefined)
    const { client, requests } = newClient()
    await expect(client.signIn()).rejects.toMatchObject({ code: 'PASSKEY_NOT_SUPPORTED' })
    await expect(client.signIn({ register: true, name: 'ada' })).rejects.toMatchObject({
      code: 'PASSKEY_NOT_SUPPORTED',
    })
    expect(requests).toEqual([])
    expect(client.getStatus()).toBe('signedOut')
  })

  it('a passkey the server does not know is PASSKEY_UNKNOWN, and the browser is told (Signal API)', async () => {
    const { client, session } = await signedIn()
    const credentialId = suite.authenticator.passkeys[0]
      ? Buffer.from(suite.authenticator.passkeys[0].id).toString('base64url')
      : ''
    suite.fixture.server.credentials.delete(credentialId)
    await expect(client.signIn()).rejects.toMatchObject({ code: 'PASSKEY_UNKNOWN' })
    expect(client.getSession()?.id).toBe(session.id)
    await vi.waitFor(() =>
      expect(suite.authenticator.calls.signals).toEqual([{ rpId: 'localhost', credentialId }]),
    )
    expect(suite.authenticator.passkeys).toHaveLength(0)
  })

  it('signalUnknownCredential: false keeps the browser out of it', async () => {
    const { client } = await signedIn({ signalUnknownCredential: false })
    suite.fixture.server.credentials.clear()
    await expect(client.signIn()).rejects.toMatchObject({ code: 'PASSKEY_UNKNOWN' })
    await new Promise((r) => setTimeout(r, 20))
    expect(suite.authenticator.calls.signals).toEqual([])
    expect(suite.authenticator.passkeys).toHaveLength(1)
  })

  it('signing out during the prompt cancels it (ABORTED) and the browser prompt closes', async () => {
    const { client } = await signedIn()
    suite.authenticator.behaviour = { kind: 'hang' }
    const attempt = client.signIn().catch((e: SessionError) => e)
    await vi.waitFor(() => expect(suite.authenticator.calls.get).toBe(1))
    await client.signOut()
    expect(await attempt).toMatchObject({ code: 'ABORTED' })
    expect(suite.authenticator.calls.aborted).toBe(1)
    expect(client.getStatus()).toBe('signedOut')
  })

  it('registration needs its endpoints and a name', async () => {
    const { client, requests } = newClient({ registrationOptionsUrl: undefined })
    await expect(client.signIn({ register: true, name: 'ada' })).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
    })
    const other = newClient()
    await expect(other.client.signIn({ register: true, name: ' ' })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    })
    expect([...requests, ...other.requests]).toEqual([])
  })

  it('a server that is down is NETWORK, a refusal SIGN_IN_FAILED, a non-JSON answer INVALID_RESPONSE', async () => {
    const down = newClient({ authenticationOptionsUrl: 'http://127.0.0.1:9/passkey/authenticate/options' })
    await expect(down.client.signIn()).rejects.toMatchObject({ code: 'NETWORK' })
    // The GET-only API route answers a POST with 405: a refusal, and no prompt.
    const refused = newClient({ authenticationOptionsUrl: `${suite.fixture.base}me` })
    await expect(refused.client.signIn()).rejects.toMatchObject({ code: 'SIGN_IN_FAILED', message: /405/ })
    // The logout route answers 204 with no body: not options.
    const empty = newClient({ authenticationOptionsUrl: `${suite.fixture.base}logout` })
    await expect(empty.client.signIn()).rejects.toMatchObject({ code: 'INVALID_RESPONSE' })
    expect(suite.authenticator.calls.get).toBe(0)
  })
})

describe('passkey autofill (conditional mediation)', () => {
  it('waits without touching the session state, then signs in when the user picks a passkey', async () => {
    const { client } = await signedIn()
    await client.signOut()
    const { client: second, method } = newClient()
    const states: string[] = []
    second.authState$.subscribe(({ status }) => states.push(status))
    const done = method.autofill(second)
    await suite.authenticator.autofillWaiting()
    expect(second.getStatus()).toBe('signedOut') // not 'authenticating' while the user has not chosen
    suite.authenticator.pickAutofill()
    const session = await done
    expect(session.method).toBe('passkey')
    expect(second.getStatus()).toBe('active')
    expect(suite.authenticator.calls.conditional).toBe(1)
    expect(states).toEqual(['signedOut', 'authenticating', 'active'])
  })

  it('a prompt from a button replaces a waiting autofill (ABORTED), which then leaves it alone', async () => {
    const { client, method } = await signedIn()
    await client.signOut()
    const autofill = method.autofill(client).catch((e: SessionError) => e)
    await suite.authenticator.autofillWaiting()
    const session = await client.signIn()
    expect(await autofill).toMatchObject({ code: 'ABORTED' })
    expect(session.method).toBe('passkey')
    expect(client.getStatus()).toBe('active')
  })

  it('a button pressed while the autofill still fetches its options wins too', async () => {
    const { client, method } = await signedIn()
    await client.signOut()
    const autofill = method.autofill(client).catch((e: SessionError) => e)
    const session = await client.signIn() // no wait: the autofill has not reached the browser yet
    expect(await autofill).toMatchObject({ code: 'ABORTED' })
    expect(session.method).toBe('passkey')
    expect(suite.authenticator.calls.conditional).toBe(0)
  })

  it("the app's signal stops it; no autofill or no input are refused clearly", async () => {
    const { client, method } = newClient()
    const controller = new AbortController()
    const waiting = method.autofill(client, { signal: controller.signal }).catch((e: SessionError) => e)
    await suite.authenticator.autofillWaiting()
    controller.abort()
    expect(await waiting).toMatchObject({ code: 'ABORTED' })
    expect(suite.authenticator.calls.aborted).toBe(1)

    vi.stubGlobal('document', { querySelectorAll: () => [] })
    await expect(method.autofill(client)).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    suite.authenticator.capabilities.conditionalMediation = false
    await expect(method.autofill(client)).rejects.toMatchObject({ code: 'PASSKEY_NOT_SUPPORTED' })
    expect(client.getStatus()).toBe('signedOut')
  })
})
