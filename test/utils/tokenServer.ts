/**
 * A loopback token server for multi-tab tests and benchmarks. Like real providers it rotates
 * single-use refresh tokens and revokes the whole family when an old one comes back.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

interface Family {
  alive: boolean
  subject: string
}

export interface TokenServer {
  url: string
  counters: {
    logins: number
    refreshCalls: number
    reuseDetections: number
    apiCalls: number
    unauthorized: number
  }
  /** Makes an access token unusable at the API before it expires. */
  revoke(accessToken: string): void
  setAccessTokenTtl(seconds: number): void
  /** Moves the server's clock, to simulate a machine that slept. */
  setClockOffset(ms: number): void
  close(): Promise<void>
}

function jwt(claims: Record<string, unknown>): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.${randomBytes(16).toString('base64url')}`
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
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

/**
 * Starts the server on 127.0.0.1 with a free port.
 *
 * @example
 * ```ts
 * const server = await startTokenServer({ accessTokenTtl: 4 })
 * await fetch(`${server.url}/login`, { method: 'POST', body: JSON.stringify({ sub: 'ada' }) })
 * ```
 */
export async function startTokenServer(options: { accessTokenTtl?: number } = {}): Promise<TokenServer> {
  let ttl = options.accessTokenTtl ?? 60
  let clockOffsetMs = 0
  const nowMs = () => Date.now() + clockOffsetMs
  const families = new Map<string, Family>()
  const refreshTokens = new Map<string, { family: string; used: boolean }>()
  const accessTokens = new Map<string, { family: string; exp: number }>()
  const revoked = new Set<string>()
  const counters = { logins: 0, refreshCalls: 0, reuseDetections: 0, apiCalls: 0, unauthorized: 0 }

  const issue = (familyId: string) => {
    const family = families.get(familyId) as Family
    const now = Math.floor(nowMs() / 1000)
    const accessToken = jwt({ sub: family.subject, iat: now, exp: now + ttl, fam: familyId })
    const refreshToken = randomBytes(18).toString('base64url')
    accessTokens.set(accessToken, { family: familyId, exp: now + ttl })
    refreshTokens.set(refreshToken, { family: familyId, used: false })
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_at: now + ttl,
      token_type: 'Bearer',
    }
  }

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
      counters.logins++
      const familyId = randomBytes(8).toString('hex')
      families.set(familyId, { alive: true, subject: String(body.sub ?? 'ada') })
      return send(res, 200, issue(familyId))
    }
    if (path === '/refresh') {
      const body = await readJson(req)
      counters.refreshCalls++
      const entry = refreshTokens.get(String(body.refresh_token))
      const family = entry ? families.get(entry.family) : undefined
      if (!entry || !family?.alive) return send(res, 400, { error: 'invalid_grant' })
      if (entry.used) {
        // Reuse detection: someone replayed a rotated token. Kill the whole family.
        counters.reuseDetections++
        family.alive = false
        return send(res, 400, { error: 'invalid_grant', error_description: 'refresh token reused' })
      }
      entry.used = true
      return send(res, 200, issue(entry.family))
    }
    if (path === '/api') {
      counters.apiCalls++
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      const info = accessTokens.get(token)
      const alive =
        info && families.get(info.family)?.alive && info.exp > nowMs() / 1000 && !revoked.has(token)
      if (!alive) {
        counters.unauthorized++
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
    counters,
    revoke: (token) => revoked.add(token),
    setAccessTokenTtl(seconds) {
      ttl = seconds
    },
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
