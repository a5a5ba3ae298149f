/** The demo's passkey server on a loopback port, and the passkey method options that point at it. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createPasskeyServer, type PasskeyServer } from '../../docs/demo/server/passkeyServer.js'
import type { PasskeyOptions } from '../../src/passkey/index.js'

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
