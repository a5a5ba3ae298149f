/**
 * A loopback backend speaking Torus's `AuthSessionManager` protocol: `POST /v1/auth/session`
 * (Bearer access token, `{ refresh_token }` → `{ access_token, refresh_token, session_data }`) and
 * `POST /v1/auth/logout`. Refresh tokens are single-use and a replayed one kills its family, like
 * real providers. `session_data` is encrypted with Torus's own code (`@toruslabs/metadata-helpers`)
 * under the session id, so what tessera decrypts is what a Torus backend sends.
 * `POST /login` plays the auth service that hands the app its token set.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { encryptData, hexToBytes } from '@toruslabs/metadata-helpers'
import { StorageManager } from '@toruslabs/session-manager'
import { fakeJwt } from '../kit/jwt.js'
import { readJson } from '../kit/tokenServer.js'

interface Family {
  alive: boolean
  subject: string
  sessionId: string
  data: unknown
}

/** What a test can see and steer. */
export interface TorusAuthServer {
  url: string
  counters: {
    logins: number
    sessions: number
    refreshes: number
    logouts: number
    rejected: number
    reuse: number
  }
  /** Every request to the protocol endpoints, as the server saw it. */
  requests: Array<{ path: string; authorization: string | undefined; body: Record<string, unknown> }>
  /** The next `n` requests to the protocol endpoints fail: the socket is destroyed, or the server answers 503. */
  failNext(n: number, how?: 'socket' | 503): void
  /** Replaces the `session_data` the next responses carry for that session id with raw text (a hostile server). */
  forgeSessionData(sessionId: string, raw: string): void
  /** Moves the server's clock, so a test can move the client's `environment` clock alike. */
  setClockOffset(ms: number): void
  setAccessTokenTtl(seconds: number): void
  /** True while the refresh token is usable (not rotated, not logged out). */
  isRefreshTokenAlive(refreshToken: string): boolean
  close(): Promise<void>
}

/** Torus signs its tokens with ES256; clients only decode them, so an unsigned one of that shape does. */
const jwt = (claims: Record<string, unknown>) => fakeJwt(claims, { header: { alg: 'ES256', typ: 'JWT' } })

/**
 * Starts the backend on 127.0.0.1 with a free port. The server is unref'd, so a test that forgets
 * `close()` cannot hold the process open.
 *
 * @example
 * ```ts
 * const server = await startTorusAuthServer()
 * const set = await (await fetch(`${server.url}/login`, { method: 'POST', body: JSON.stringify({ sub: 'ada', data: { userId: 1 } }) })).json()
 * ```
 */
export async function startTorusAuthServer(): Promise<TorusAuthServer> {
  let ttl = 300
  let clockOffsetMs = 0
  const nowSeconds = () => Math.floor((Date.now() + clockOffsetMs) / 1000)
  const families = new Map<string, Family>()
  const refreshTokens = new Map<string, { family: string; used: boolean }>()
  const forged = new Map<string, string>()
  const counters = { logins: 0, sessions: 0, refreshes: 0, logouts: 0, rejected: 0, reuse: 0 }
  const requests: TorusAuthServer['requests'] = []
  let failures: Array<'socket' | 503> = []

  const issue = (familyId: string) => {
    const family = families.get(familyId) as Family
    const now = nowSeconds()
    const refreshToken = randomBytes(24).toString('base64url')
    refreshTokens.set(refreshToken, { family: familyId, used: false })
    return {
      access_token: jwt({ sub: family.subject, iat: now, exp: now + ttl, sid: familyId }),
      refresh_token: refreshToken,
    }
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const body = await readJson(req)
    if (path === '/login') {
      counters.logins++
      const familyId = randomBytes(8).toString('hex')
      // The auth service makes the session id (a secp256k1 private key in Torus's scheme).
      const sessionId = StorageManager.generateRandomSessionKey()
      families.set(familyId, {
        alive: true,
        subject: String(body.sub ?? 'ada'),
        sessionId,
        data: body.data ?? {},
      })
      const now = nowSeconds()
      return send(res, 200, {
        session_id: sessionId.slice(2),
        ...issue(familyId),
        id_token: jwt({
          iss: 'https://auth.example',
          aud: 'app',
          sub: body.sub ?? 'ada',
          iat: now,
          exp: now + 600,
        }),
      })
    }
    if (path !== '/v1/auth/session' && path !== '/v1/auth/refresh' && path !== '/v1/auth/logout') {
      return send(res, 404, {})
    }
    requests.push({ path, authorization: req.headers.authorization, body })
    const failure = failures.shift()
    if (failure === 'socket') {
      req.socket.destroy()
      return
    }
    if (failure === 503) return send(res, 503, { error: 'unavailable' })

    if (path === '/v1/auth/logout') {
      counters.logouts++
      const entry = refreshTokens.get(String(body.refresh_token))
      const family = entry ? families.get(entry.family) : undefined
      if (family) family.alive = false
      return send(res, 200, { success: true })
    }
    counters[path === '/v1/auth/session' ? 'sessions' : 'refreshes']++
    const entry = refreshTokens.get(String(body.refresh_token))
    const family = entry ? families.get(entry.family) : undefined
    if (!entry || !family?.alive) {
      counters.rejected++
      return send(res, 401, { error: 'invalid_refresh_token' })
    }
    if (entry.used) {
      counters.reuse++
      counters.rejected++
      family.alive = false
      return send(res, 401, { error: 'refresh_token_reused' })
    }
    entry.used = true
    const tokens = issue(entry.family)
    if (path === '/v1/auth/refresh') return send(res, 200, tokens)
    const sessionData =
      forged.get(family.sessionId) ?? (await encryptData(hexToBytes(family.sessionId), family.data))
    return send(res, 200, { ...tokens, session_data: sessionData })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.unref()

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counters,
    requests,
    failNext(n, how = 'socket') {
      failures = Array(n).fill(how)
    },
    forgeSessionData(sessionId, raw) {
      forged.set(sessionId.startsWith('0x') ? sessionId : `0x${sessionId}`, raw)
    },
    setClockOffset(ms) {
      clockOffsetMs = ms
    },
    setAccessTokenTtl(seconds) {
      ttl = seconds
    },
    isRefreshTokenAlive(refreshToken) {
      const entry = refreshTokens.get(refreshToken)
      return !!entry && !entry.used && !!families.get(entry.family)?.alive
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
