/**
 * A loopback API that trusts wallet sessions the way docs/wallet.md tells a backend to: the session
 * token from `getIdToken()` through `verifySessionToken`, and DPoP proofs against a known key.
 * Its clock is the test's to move.
 */
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { calculateJwkThumbprint, EmbeddedJWK, type JWK, jwtVerify } from 'jose'
import { isSessionError } from '../../src/index.js'
import { verifySessionToken } from '../../src/server/index.js'

export interface WalletApi {
  url: string
  /** Milliseconds the API adds to its clock. */
  advance(ms: number): void
  /** The thumbprint of the key DPoP proofs must be signed by (bound at token issue in real life). */
  expectDPoPKey(jkt: string): void
  counts: { ok: number; refused: number }
  close(): Promise<void>
}

export async function startWalletApi(options: { domain: string; resources: string[] }): Promise<WalletApi> {
  let offset = 0
  let expectedJkt = ''
  const counts = { ok: 0, refused: 0 }
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      if (status === 200) counts.ok++
      else counts.refused++
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    const auth = req.headers.authorization ?? ''
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    try {
      if (url.pathname === '/posts') {
        const verified = await verifySessionToken(auth.replace(/^Bearer /, ''), {
          domain: options.domain,
          resources: options.resources,
          now: Date.now() + offset,
        })
        return send(200, { account: verified.account, resources: verified.resources })
      }
      if (url.pathname === '/dpop') {
        const accessToken = auth.replace(/^DPoP /, '')
        const proof = String(req.headers.dpop ?? '')
        const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
          typ: 'dpop+jwt',
          algorithms: ['ES256'],
          currentDate: new Date(Date.now() + offset),
        })
        const jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK)
        const ath = createHash('sha256').update(accessToken).digest('base64url')
        const htu = `http://${req.headers.host}${url.pathname}`
        if (jkt !== expectedJkt || payload.ath !== ath || payload.htm !== req.method || payload.htu !== htu) {
          return send(401, { code: 'DPOP_MISMATCH' })
        }
        return send(200, { jkt })
      }
      send(404, {})
    } catch (error) {
      send(401, { code: isSessionError(error) ? error.code : 'INVALID_DPOP' })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    advance: (ms) => {
      offset += ms
    },
    expectDPoPKey: (jkt) => {
      expectedJkt = jkt
    },
    counts,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}
