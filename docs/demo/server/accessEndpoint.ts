/**
 * The demo provider's access endpoint (docs/devices.md): lists the signed-in account's grants and
 * revokes one, straight from oidc-provider's own records. A grant is a device: its credential is
 * its current refresh token (bound by DPoP to that device's key, whose thumbprint it carries).
 * Revoking destroys the grant and every token of it, so that device's next refresh is refused.
 * Calls carry the session's access token, with its DPoP proof where it is bound (RFC 9449).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as oauth from 'oauth4webapi'
import type Provider from 'oidc-provider'
import type { GrantAdapter } from './grantAdapter.js'

/** Where the endpoint lives on the provider. */
export const ACCESS_PATH = '/account/access'

const MAX_PAGE_SIZE = 1000

interface GrantView {
  credential_id: string
  expires_at: number
  created_at: number
  last_used_at: number
  label?: string
  key_thumbprint?: string
}

/**
 * Creates the handler. `handle` answers requests under {@link ACCESS_PATH} and returns false for others.
 *
 * @example
 * ```ts
 * const access = accessEndpoint({ provider, store, issuer, audience: api.url, allowedOrigins, labels })
 * server.on('request', (req, res) => access.handle(req, res) || callback(req, res))
 * ```
 */
export function accessEndpoint(options: {
  provider: Provider
  store: GrantAdapter
  issuer: string
  /** The audience of the access tokens it accepts (the demo's tokens are issued for its API). */
  audience: string
  allowedOrigins: () => string[]
  /** What each grant is called (the user agent that signed in). */
  labels: Map<string, string>
  counters: { accessListings: number; accessRevocations: number }
}) {
  const { provider, store } = options
  const as: oauth.AuthorizationServer = { issuer: options.issuer, jwks_uri: `${options.issuer}/jwks` }
  const insecure = { [oauth.allowInsecureRequests]: true } as const

  /** The account's live grants, oldest first; a grant without a usable refresh token is no device. */
  function grantsOf(accountId: string): GrantView[] {
    const now = Math.floor(Date.now() / 1000)
    const views: GrantView[] = []
    for (const id of store.grantsOf(accountId)) {
      const grant = store.grant(id)
      const current = store
        .refreshTokensOf(id)
        .filter((rt) => !rt.consumed && (rt.exp === undefined || rt.exp > now))
        .sort((a, b) => (b.iat ?? 0) - (a.iat ?? 0))[0]
      if (!grant || !current) continue
      const label = options.labels.get(id)
      views.push({
        credential_id: id,
        expires_at: current.exp ?? grant.exp ?? now,
        created_at: grant.iat ?? now,
        last_used_at: current.iat ?? now,
        ...(label ? { label } : {}),
        ...(current.jkt ? { key_thumbprint: current.jkt } : {}),
      })
    }
    return views.sort((a, b) => a.created_at - b.created_at || (a.credential_id < b.credential_id ? -1 : 1))
  }

  async function revoke(grantId: string): Promise<void> {
    // Every token of the grant goes, then the grant itself: the device's refresh token is dead.
    await Promise.all([
      provider.RefreshToken.revokeByGrantId(grantId),
      provider.AccessToken.revokeByGrantId(grantId),
      provider.AuthorizationCode.revokeByGrantId(grantId),
    ])
    const grant = await provider.Grant.find(grantId)
    await grant?.destroy()
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin
    const cors: Record<string, string> =
      origin && options.allowedOrigins().includes(origin)
        ? {
            'access-control-allow-origin': origin,
            'access-control-allow-headers': 'authorization, dpop',
            'access-control-allow-methods': 'GET, DELETE',
            'access-control-expose-headers': 'www-authenticate, dpop-nonce',
            vary: 'origin',
          }
        : {}
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
      res
        .writeHead(status, {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...cors,
          ...headers,
        })
        .end(body === undefined ? undefined : JSON.stringify(body))
    if (req.method === 'OPTIONS') return void send(204)
    const url = new URL(req.url ?? '/', options.issuer)
    let claims: oauth.JWTAccessTokenClaims
    try {
      const request = new Request(url, {
        method: req.method ?? 'GET',
        headers: req.headers as Record<string, string>,
      })
      claims = await oauth.validateJwtAccessToken(as, request, options.audience, insecure)
    } catch (error) {
      const scheme = (req.headers.authorization ?? '').split(' ')[0] === 'Bearer' ? 'Bearer' : 'DPoP'
      const description = error instanceof Error ? error.message : 'invalid token'
      return void send(
        401,
        { error: 'invalid_token', error_description: description },
        {
          'www-authenticate': `${scheme} error="invalid_token"`,
        },
      )
    }
    const rest = url.pathname.slice(ACCESS_PATH.length)
    if (req.method === 'GET' && (rest === '' || rest === '/')) {
      const pageSize = Number(url.searchParams.get('page_size') ?? 50)
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
        return void send(400, { error: 'invalid_request', error_description: 'bad page_size' })
      options.counters.accessListings++
      const all = grantsOf(claims.sub)
      // The cursor is the sort key of the previous page's last grant: a revocation meanwhile shifts nothing.
      const cursor = url.searchParams.get('cursor')
      const keyOf = (g: GrantView) => `${String(g.created_at).padStart(12, '0')}:${g.credential_id}`
      const start = cursor === null ? 0 : all.findIndex((g) => keyOf(g) > cursor)
      const grants = start < 0 ? [] : all.slice(start, start + pageSize)
      const last = grants.at(-1)
      const next = start >= 0 && start + pageSize < all.length && last ? keyOf(last) : null
      return void send(200, { grants, next_cursor: next })
    }
    if (req.method === 'DELETE' && rest.startsWith('/') && rest.length > 1) {
      const grantId = decodeURIComponent(rest.slice(1))
      const grant = store.grant(grantId)
      if (!grant || grant.accountId !== claims.sub) return void send(404, { error: 'not_found' })
      await revoke(grantId)
      options.counters.accessRevocations++
      return void send(204)
    }
    return void send(405, { error: 'method_not_allowed' })
  }

  return {
    /** True when the request was for this endpoint (and is being answered). */
    handle(req: IncomingMessage, res: ServerResponse): boolean {
      const path = (req.url ?? '').split('?')[0] ?? ''
      if (path !== ACCESS_PATH && !path.startsWith(`${ACCESS_PATH}/`)) return false
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end()
      })
      return true
    },
  }
}
