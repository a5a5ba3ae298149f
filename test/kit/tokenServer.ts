/**
 * The loopback token server for multi-tab tests and benchmarks: {@link tokenService} over HTTP on
 * 127.0.0.1, so a page in Chromium meets the same rules as an in-process method (single-use
 * refresh tokens rotated on every refresh, the whole family revoked when a used one comes back).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type IssuedTokens, RefreshRejected, tokenService } from './tokenService.js'

/**
 * A running server. Endpoints: `POST /login {sub}`, `POST /refresh {refresh_token}` (400
 * `invalid_grant` when rejected), `GET /api` with `authorization: Bearer …` (401 unless the token is
 * live).
 *
 * @example
 * ```ts
 * const server: TokenServer = await startTokenServer()
 * expect(server.counters.reuseDetections).toBe(0)
 * ```
 */
export interface TokenServer {
  url: string
  counters: {
    readonly logins: number
    readonly refreshCalls: number
    readonly reuseDetections: number
    readonly apiCalls: number
    readonly unauthorized: number
  }
  /** Makes an access token unusable at the API before it expires. */
  revoke(accessToken: string): void
  setAccessTokenTtl(seconds: number): void
  /** Moves the server's clock, to simulate a machine that slept. */
  setClockOffset(ms: number): void
  close(): Promise<void>
}

/**
 * A request's JSON body; an empty or unparsable body reads as `{}`.
 *
 * @example
 * ```ts
 * createServer(async (req, res) => res.end(JSON.stringify(await readJson(req))))
 * ```
 */
export function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let raw = ''
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8')
    })
    req.on('end', () => {
      try {
        resolve(raw ? (JSON.parse(raw) as Record<string, unknown>) : {})
      } catch {
        resolve({})
      }
    })
  })
}

/** A token answer as OAuth servers write it. */
const tokenResponse = (issued: IssuedTokens) => ({
  access_token: issued.accessToken,
  refresh_token: issued.refreshToken,
  expires_at: issued.expiresAt,
  token_type: 'Bearer',
})

/**
 * Starts the server on 127.0.0.1 with a free port; access tokens live `accessTokenTtl` seconds (60).
 *
 * @example
 * ```ts
 * const server = await startTokenServer({ accessTokenTtl: 4 })
 * await fetch(`${server.url}/login`, { method: 'POST', body: JSON.stringify({ sub: 'ada' }) })
 * ```
 */
export async function startTokenServer(options: { accessTokenTtl?: number } = {}): Promise<TokenServer> {
  let clockOffsetMs = 0
  const service = tokenService({
    now: () => Date.now() + clockOffsetMs,
    lifetimeSeconds: options.accessTokenTtl ?? 60,
  })
  const revoked = new Set<string>()
  const api = { apiCalls: 0, unauthorized: 0 }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (res.writableEnded || res.destroyed) return
    res.writeHead(status, {
      'content-type': 'application/json',
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': 'GET, POST',
    })
    res.end(JSON.stringify(body))
  }

  const server: Server = createServer(async (req, res) => {
    if (req.method === 'OPTIONS') return send(res, 204, {})
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/login') {
      const body = await readJson(req)
      return send(res, 200, tokenResponse(service.login(String(body.sub ?? 'ada'))))
    }
    if (path === '/refresh') {
      const body = await readJson(req)
      try {
        return send(res, 200, tokenResponse(service.refresh(String(body.refresh_token))))
      } catch (error) {
        if (!(error instanceof RefreshRejected)) throw error
        // A reused token also killed its family (the service counts it as a reuse detection).
        return send(
          res,
          400,
          error.reason === 'reused'
            ? { error: 'invalid_grant', error_description: 'refresh token reused' }
            : { error: 'invalid_grant' },
        )
      }
    }
    if (path === '/api') {
      api.apiCalls++
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      if (!service.accepts(token) || revoked.has(token)) {
        api.unauthorized++
        return send(res, 401, { error: 'invalid_token' })
      }
      return send(res, 200, { ok: true })
    }
    send(res, 404, {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    // The service counts logins, refreshes and reuse; the API's own calls are counted here.
    counters: {
      get logins() {
        return service.counters.logins
      },
      get refreshCalls() {
        return service.counters.refreshCalls
      },
      get reuseDetections() {
        return service.counters.reuseDetections
      },
      get apiCalls() {
        return api.apiCalls
      },
      get unauthorized() {
        return api.unauthorized
      },
    },
    revoke: (token) => revoked.add(token),
    setAccessTokenTtl: (seconds) => service.setLifetime(seconds),
    setClockOffset(ms) {
      clockOffsetMs = ms
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
