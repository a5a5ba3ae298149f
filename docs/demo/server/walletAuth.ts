/**
 * The demo's wallet backend, on the page's own origin: single-use sign-in nonces, and a verify
 * endpoint that trusts a sign-in only through the capability (CACAO) the wallet signed, checked
 * with `verifyCacao` from tessera-session/server. It is the recipe of docs/wallet.md.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { verifyCacao } from '../../../src/server/index.js'

/** A mounted wallet backend: `handle` answers `/wallet/*` and says whether it did. */
export interface WalletAuth {
  handle(req: IncomingMessage, res: ServerResponse): boolean
  counters: { nonces: number; verified: number; refused: number }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let raw = ''
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8')
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(raw || '{}'))
      } catch {
        resolve({})
      }
    })
  })
}

/**
 * Serves `GET /wallet/nonce` and `POST /wallet/verify` for the page at `domain` (its host).
 *
 * @example
 * ```ts
 * const wallet = walletAuth({ domain: '127.0.0.1:5173' })
 * server.on('request', (req, res) => wallet.handle(req, res) || serveTheRest(req, res))
 * ```
 */
export function walletAuth(options: { domain: string; accessTokenTtl?: number }): WalletAuth {
  const nonces = new Set<string>()
  const counters = { nonces: 0, verified: 0, refused: 0 }
  const send = (res: ServerResponse, status: number, body: unknown) =>
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body))
  return {
    counters,
    handle(req, res) {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (path === '/wallet/nonce' && req.method === 'GET') {
        const nonce = randomBytes(12).toString('hex')
        nonces.add(nonce)
        counters.nonces++
        send(res, 200, { nonce })
        return true
      }
      if (path === '/wallet/verify' && req.method === 'POST') {
        void readJson(req).then(async (body) => {
          try {
            const capability = await verifyCacao(body.cacao, { domain: options.domain })
            // The nonce must be one this server issued, used once: no replayed sign-in.
            if (!nonces.delete(capability.nonce)) throw new Error('unknown or used nonce')
            counters.verified++
            send(res, 200, {
              access_token: randomBytes(24).toString('base64url'),
              expires_in: options.accessTokenTtl ?? 3600,
            })
          } catch (error) {
            counters.refused++
            send(res, 401, { error: (error as { code?: string }).code ?? 'invalid_request' })
          }
        })
        return true
      }
      return false
    },
  }
}
