/**
 * The refresh storm: 1,000 concurrent authenticated requests on an expired token, against one
 * loopback server that speaks each library's refresh protocol. Counts refresh calls and times
 * every request, for tessera and for its peers through their own public APIs (all in Node).
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSessionClient, memoryStorage, SessionError } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { median, percentile } from './measure.js'
import { loadPeerBenches, type PeerStorm } from './peerBenches.js'

const REQUESTS = 1_000
/** Rounds per library, interleaved; the table shows medians. */
const STORM_ROUNDS = 11
/** The row every other is compared with. */
export const BASELINE = 'no library (one hand-written refresh, then `fetch`)'
/** Each refresh takes this long at the server, like a real token endpoint. */
const REFRESH_LATENCY_MS = 25

export interface StormResult {
  library: string
  runtime: string
  refreshCalls: number
  /** Requests the API server received: 1,000 means no request was sent twice. */
  apiCalls: number
  succeeded: number
  p50: number
  p99: number
  /** p50 over the no-library baseline's p50 in the same round: the median of the rounds' ratios. */
  vsBaseline: number
}

/** An access token as the peers' servers issue them (Supabase's claims); each one differs. */
function jwt(exp: number): string {
  return fakeJwt({
    sub: 'bench-user',
    aud: 'authenticated',
    role: 'authenticated',
    exp,
    iat: exp - 3600,
    session_id: 's1',
    jti: randomBytes(6).toString('hex'),
  })
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let raw = ''
    req.on('data', (c: Buffer) => {
      raw += c.toString('utf8')
    })
    req.on('end', () => resolve(raw))
  })
}

/** One server, every protocol: refresh tokens do not rotate here, so only the call count differs. */
async function startStormServer() {
  const valid = new Set<string>()
  let refreshCalls = 0
  let apiCalls = 0
  const fresh = () => {
    const accessToken = jwt(Math.floor(Date.now() / 1000) + 3600)
    valid.add(accessToken)
    return accessToken
  }
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const body = await read(req)
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
    if (url.pathname === '/api') {
      apiCalls++
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      return valid.has(token) ? json(200, { ok: true }) : json(401, { error: 'invalid_token' })
    }
    const isRefresh =
      (url.pathname === '/auth/v1/token' && url.searchParams.get('grant_type') === 'refresh_token') ||
      url.pathname === '/oidc/token' ||
      url.pathname === '/v1/auth/session' ||
      url.pathname === '/tessera/refresh'
    if (isRefresh) {
      refreshCalls++
      await new Promise((r) => setTimeout(r, REFRESH_LATENCY_MS))
      const accessToken = fresh()
      const expiresAt = Math.floor(Date.now() / 1000) + 3600
      void body
      return json(200, {
        access_token: accessToken,
        refresh_token: 'rt-static',
        token_type: 'bearer',
        expires_in: 3600,
        expires_at: expiresAt,
        scope: 'openid',
        user: {
          id: 'bench-user',
          aud: 'authenticated',
          role: 'authenticated',
          email: 'bench@example.com',
          app_metadata: {},
          user_metadata: {},
          created_at: new Date().toISOString(),
        },
      })
    }
    if (url.pathname === '/oidc/.well-known/openid-configuration') {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`
      return json(200, {
        issuer: base,
        authorization_endpoint: `${base}/auth`,
        token_endpoint: `${base}/token`,
        jwks_uri: `${base}/jwks`,
      })
    }
    json(404, {})
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refreshCalls: () => refreshCalls,
    apiCalls: () => apiCalls,
    reset() {
      refreshCalls = 0
      apiCalls = 0
      valid.clear()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Fires `REQUESTS` at once and times each one. */
export async function storm(one: () => Promise<boolean>) {
  const latencies: number[] = []
  let succeeded = 0
  await Promise.all(
    Array.from({ length: REQUESTS }, async () => {
      const start = performance.now()
      const ok = await one().catch(() => false)
      latencies.push(performance.now() - start)
      if (ok) succeeded++
    }),
  )
  return { succeeded, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
}

/** An access token that expired a minute ago. */
export const expired = () => jwt(Math.floor(Date.now() / 1000) - 60)

/**
 * No library: what the app would write by hand knowing the token has expired (one refresh
 * request shared by every call, then each request with the new token). The floor any library's
 * storm can reach.
 */
async function baselineStorm(base: string) {
  let token: Promise<string> | null = null
  return storm(async () => {
    token ??= fetch(`${base}/tessera/refresh`, { method: 'POST', body: '{}' })
      .then((res) => res.json() as Promise<{ access_token: string }>)
      .then((body) => body.access_token)
    const accessToken = await token
    return (await fetch(`${base}/api`, { headers: { authorization: `Bearer ${accessToken}` } })).ok
  })
}

async function tesseraStorm(base: string) {
  const client = createSessionClient({
    appId: 'storm',
    methods: [
      {
        id: 'bench',
        signIn: async () => {
          throw new SessionError('NOT_SUPPORTED', 'bench uses setTokens')
        },
        async refresh(_credentials, ctx) {
          const res = await ctx.fetch(`${base}/tessera/refresh`, { method: 'POST', body: '{}' })
          const body = (await res.json()) as { access_token: string; refresh_token: string }
          return { accessToken: body.access_token, refreshToken: body.refresh_token }
        },
      },
    ],
    storage: memoryStorage(),
    sync: false,
    apiOrigins: [base],
  })
  await client.setTokens({ accessToken: expired(), refreshToken: 'rt-static' })
  const result = await storm(async () => (await client.fetch(`${base}/api`)).ok)
  client.destroy()
  return result
}

/**
 * Runs the storm for each library in turn against the same server.
 *
 * @example
 * ```ts
 * for (const row of await refreshStorm()) console.log(row.library, row.refreshCalls)
 * ```
 */
export async function refreshStorm(): Promise<StormResult[]> {
  const server = await startStormServer()
  // Warm the sockets and the JIT first, so the library measured first is not measured cold.
  await storm(async () => (await fetch(`${server.base}/api`)).status === 401)
  const libraries: Array<[string, PeerStorm]> = [
    [BASELINE, baselineStorm],
    ['tessera `client.fetch`', tesseraStorm],
    ...(await loadPeerBenches()).peerStorms,
  ]
  // Interleaved rounds, so no library is always measured first (or cold): medians per library.
  const samples = new Map<
    string,
    Array<{ calls: number; api: number; succeeded: number; p50: number; p99: number; error?: string }>
  >()
  try {
    for (let round = 0; round < STORM_ROUNDS; round++) {
      for (const [library, fn] of libraries) {
        server.reset()
        const list = samples.get(library) ?? []
        try {
          const result = await fn(server.base)
          list.push({ calls: server.refreshCalls(), api: server.apiCalls(), ...result })
        } catch (error) {
          list.push({
            calls: server.refreshCalls(),
            api: server.apiCalls(),
            succeeded: 0,
            p50: Number.NaN,
            p99: Number.NaN,
            error: (error as Error).message,
          })
        }
        samples.set(library, list)
      }
    }
  } finally {
    await server.close()
  }
  const baselineRounds = samples.get(BASELINE) ?? []
  return libraries.map(([library]) => {
    const list = samples.get(library) ?? []
    const failed = list.find((r) => r.error)
    // Paired with the baseline of the same round, so a slow stretch of the machine hits both.
    const ratios = list.map((r, round) => r.p50 / (baselineRounds[round]?.p50 ?? Number.NaN))
    return {
      library: failed ? `${library} (failed: ${failed.error?.slice(0, 80)})` : library,
      runtime: 'Node 20, in-memory stores',
      refreshCalls: Math.max(...list.map((r) => r.calls)),
      apiCalls: Math.max(...list.map((r) => r.api)),
      succeeded: Math.min(...list.map((r) => r.succeeded)),
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      vsBaseline: median(ratios),
    }
  })
}
