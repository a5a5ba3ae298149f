/** A loopback SIWE backend for tests: single-use nonces, signature recovery, rotating refresh tokens. */
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Eip1193Provider, type WalletOptions, wallet } from '../../src/wallet/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { recoverAddress } from './testWallet.js'

/** A loopback SIWE backend: single-use nonces, signature recovery, rotating refresh tokens. */
export function startSiweServer() {
  const nonces = new Set<string>()
  const refreshTokens = new Map<string, string>() // token → address
  const counts = { verify: 0, refresh: 0, logout: 0, badSignatures: 0 }
  const server: Server = createServer((req, res) => {
    let raw = ''
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')))
    req.on('end', () => {
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      const issue = (address: string) => {
        const refresh = randomBytes(16).toString('hex')
        refreshTokens.set(refresh, address)
        const now = Math.floor(Date.now() / 1000)
        return {
          access_token: fakeJwt({
            sub: address,
            iat: now,
            exp: now + 300,
            jti: randomBytes(8).toString('hex'),
          }),
          refresh_token: refresh,
          expires_in: 300,
        }
      }
      if (req.url === '/nonce') {
        const nonce = randomBytes(12).toString('hex')
        nonces.add(nonce)
        return send(200, { nonce })
      }
      const body = raw ? JSON.parse(raw) : {}
      if (req.url === '/verify') {
        counts.verify++
        const message = String(body.message)
        const nonce = /Nonce: (\w+)/.exec(message)?.[1] ?? ''
        const claimed = (message.split('\n')[1] ?? '').toLowerCase()
        if (!nonces.delete(nonce)) return send(401, { error: 'unknown or used nonce' })
        if (recoverAddress(message, String(body.signature)) !== claimed) {
          counts.badSignatures++
          return send(401, { error: 'bad signature' })
        }
        return send(200, issue(claimed))
      }
      if (req.url === '/refresh') {
        counts.refresh++
        const address = refreshTokens.get(body.refresh_token)
        if (!address) return send(401, { error: 'invalid_grant' })
        refreshTokens.delete(body.refresh_token)
        return send(200, issue(address))
      }
      if (req.url === '/logout') {
        counts.logout++
        refreshTokens.delete(body.refresh_token)
        return send(204, {})
      }
      send(404, {})
    })
  })
  return new Promise<{ url: string; counts: typeof counts; close(): Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        counts,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  )
}

/**
 * The `wallet()` method pointed at a loopback SIWE backend, for the dapp `dapp.example`; `extra`
 * adds or overrides options (refresh and logout URLs, resources, ReCaps, expiry).
 */
export function siweWallet(
  siwe: { url: string },
  provider: Eip1193Provider,
  extra: Partial<WalletOptions> = {},
) {
  return wallet({
    provider,
    nonceUrl: `${siwe.url}/nonce`,
    verifyUrl: `${siwe.url}/verify`,
    domain: 'dapp.example',
    ...extra,
  })
}
