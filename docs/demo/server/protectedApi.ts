/**
 * A protected API on 127.0.0.1 for the demo and the tests. It accepts the provider's JWT access
 * tokens (RFC 9068) only with a valid DPoP proof from the bound key, validated by oauth4webapi,
 * and can demand resource-server DPoP nonces.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeJwt } from 'jose'
import * as oauth from 'oauth4webapi'

/** Options of {@link startProtectedApi}. */
export interface ProtectedApiOptions {
  /** The OpenID provider whose tokens are accepted; may be set later with `setIssuer`. */
  issuer?: string
  port?: number
  /** Demand a server-issued DPoP nonce in every proof (`use_dpop_nonce`). */
  requireDPoPNonce?: boolean
  /** Browser origins allowed to call (CORS). */
  allowedOrigins?: string[]
}

/** A running API. `url` is its audience: the provider must issue tokens for it. */
export interface RunningProtectedApi {
  url: string
  counters: { accepted: number; rejected: number; nonceChallenges: number }
  /** Allows discovery against the provider once it runs (the audience must be known first). */
  setIssuer(issuer: string): void
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/**
 * Starts the API and resolves once it listens.
 *
 * @example
 * ```ts
 * const api = await startProtectedApi({ issuer: op.issuer, requireDPoPNonce: true })
 * await fetch(api.url, { headers: { authorization: `DPoP ${token}`, dpop: proof } })
 * ```
 */
export async function startProtectedApi(options: ProtectedApiOptions): Promise<RunningProtectedApi> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const counters = { accepted: 0, rejected: 0, nonceChallenges: 0 }
  let issuer = new URL(options.issuer ?? 'http://127.0.0.1/')
  let metadata: Promise<oauth.AuthorizationServer> | undefined
  let nonce = randomBytes(16).toString('base64url')
  // Nonces rotate, like real resource servers do, so clients must follow DPoP-Nonce headers.
  const rotation = setInterval(() => {
    nonce = randomBytes(16).toString('base64url')
  }, 30_000)
  rotation.unref()

  const insecure = { [oauth.allowInsecureRequests]: true } as const
  const authorizationServer = () => {
    metadata ??= oauth
      .discoveryRequest(issuer, { ...insecure, algorithm: 'oidc' })
      .then((response) => oauth.processDiscoveryResponse(issuer, response))
    metadata.catch(() => {
      metadata = undefined
    })
    return metadata
  }

  server.on('request', async (req, res) => {
    const origin = req.headers.origin
    const cors: Record<string, string> =
      origin && options.allowedOrigins?.includes(origin)
        ? {
            'access-control-allow-origin': origin,
            'access-control-allow-headers': 'authorization, dpop, content-type',
            'access-control-allow-methods': 'GET, POST, PUT, DELETE',
            'access-control-expose-headers': 'www-authenticate, dpop-nonce',
            vary: 'origin',
          }
        : {}
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end()
      return
    }
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res
        .writeHead(status, { 'content-type': 'application/json', ...cors, ...headers })
        .end(JSON.stringify(body))
    }
    try {
      const body = await readBody(req)
      const request = new Request(new URL(req.url ?? '/', url), {
        method: req.method ?? 'GET',
        headers: req.headers as Record<string, string>,
        ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
      })
      const claims = await oauth.validateJwtAccessToken(await authorizationServer(), request, url, {
        ...insecure,
        requireDPoP: true,
      })
      if (options.requireDPoPNonce) {
        const proof = request.headers.get('dpop')
        if (!proof || decodeJwt(proof).nonce !== nonce) {
          counters.nonceChallenges++
          send(
            401,
            { error: 'use_dpop_nonce' },
            { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce },
          )
          return
        }
      }
      counters.accepted++
      send(
        200,
        { ok: true, sub: claims.sub, scope: claims.scope, method: req.method, path: req.url },
        {
          'dpop-nonce': nonce,
        },
      )
    } catch (error) {
      counters.rejected++
      const description = error instanceof Error ? error.message : 'invalid request'
      const scheme = (req.headers.authorization ?? '').split(' ')[0] === 'Bearer' ? 'Bearer' : 'DPoP'
      send(
        401,
        { error: 'invalid_token', error_description: description },
        {
          'www-authenticate': `${scheme} error="invalid_token", algs="ES256"`,
        },
      )
    }
  })

  return {
    url,
    counters,
    setIssuer(next) {
      issuer = new URL(next)
      metadata = undefined
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(rotation)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
