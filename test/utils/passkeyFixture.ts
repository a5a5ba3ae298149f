/** The demo's passkey server on a loopback port, and the passkey method options that point at it. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest'
import { createPasskeyServer, type PasskeyServer } from '../../docs/demo/server/passkeyServer.js'
import type { PasskeyOptions } from '../../src/passkey/index.js'
import { type SoftAuthenticator, softAuthenticator } from './softAuthenticator.js'

/** A running fixture. `pageOrigin` is the origin the (soft) authenticator's page claims to be. */
export interface PasskeyFixture {
  pageOrigin: string
  base: string
  server: PasskeyServer
  methodOptions: PasskeyOptions
  close(): Promise<void>
}

/**
 * Starts the passkey server on 127.0.0.1. WebAuthn responses must come from `pageOrigin`
 * (`http://localhost:…`, where nothing listens: only the authenticator's clientDataJSON names it).
 *
 * @example
 * ```ts
 * const fixture = await startPasskeyFixture()
 * const method = passkey(fixture.methodOptions)
 * await fixture.close()
 * ```
 */
export async function startPasskeyFixture(
  options: { accessTokenTtl?: number } = {},
): Promise<PasskeyFixture> {
  const pageOrigin = 'http://localhost:4173'
  const passkeys = await createPasskeyServer({
    origin: pageOrigin,
    accessTokenTtl: options.accessTokenTtl ?? 300,
  })
  const http: Server = createServer((req, res) => void passkeys.handle(req, res))
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}${passkeys.basePath}`
  return {
    pageOrigin,
    base,
    server: passkeys,
    methodOptions: {
      registrationOptionsUrl: `${base}register/options`,
      registrationVerifyUrl: `${base}register/verify`,
      authenticationOptionsUrl: `${base}authenticate/options`,
      authenticationVerifyUrl: `${base}authenticate/verify`,
      refreshUrl: `${base}token/refresh`,
      logoutUrl: `${base}logout`,
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}

/** What {@link passkeySuite} keeps: the suite's fixture and the current test's authenticator. */
export interface PasskeySuite {
  readonly fixture: PasskeyFixture
  readonly authenticator: SoftAuthenticator
}

/**
 * Registers the hooks every passkey suite needs: the fixture started once for the file (closed in
 * afterAll), and a fresh soft authenticator installed at the fixture's page origin before each test
 * (its stubbed globals removed after it). Read `fixture` and `authenticator` inside hooks and tests.
 *
 * @example
 * ```ts
 * const suite = passkeySuite()
 * it('signs in', async () => {
 *   const method = passkey(suite.fixture.methodOptions)
 *   expect(suite.authenticator.passkeys).toEqual([])
 * })
 * ```
 */
export function passkeySuite(options: { accessTokenTtl?: number } = {}): PasskeySuite {
  let fixture: PasskeyFixture | undefined
  let authenticator: SoftAuthenticator | undefined
  beforeAll(async () => {
    fixture = await startPasskeyFixture(options)
  })
  afterAll(() => fixture?.close())
  beforeEach(() => {
    authenticator = softAuthenticator()
    authenticator.install((fixture as PasskeyFixture).pageOrigin)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })
  return {
    get fixture() {
      if (!fixture) throw new Error('passkeySuite: the fixture is only there inside hooks and tests')
      return fixture
    },
    get authenticator() {
      if (!authenticator) throw new Error('passkeySuite: the authenticator is only there inside tests')
      return authenticator
    },
  }
}
