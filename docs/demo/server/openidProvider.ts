/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1, for the demo and the tests: PKCE, DPoP,
 * refresh-token rotation with reuse detection, RP-initiated logout, revocation, JWT access tokens
 * for one protected API, and an access endpoint listing and revoking each account's grants
 * (device access). Counters expose what tests assert (refresh calls, reuse detections).
 */
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider'
import { ACCESS_PATH, accessEndpoint } from './accessEndpoint.js'
import { type GrantAdapter, grantAdapter } from './grantAdapter.js'

/** Options of {@link startOpenIdProvider}. */
export interface OpenIdProviderOptions {
  /** Default 0: a free port. */
  port?: number
  clientId?: string
  /** More public clients with the same settings (tests: two methods, one provider, one callback URL). */
  extraClientIds?: string[]
  redirectUris: string[]
  postLogoutRedirectUris?: string[]
  /** The protected API's URL: access tokens are JWTs for this audience. */
  apiAudience: string
  /** Access-token lifetime in seconds; default 60 so refreshes can be seen. */
  accessTokenTtl?: number
  /** Demand DPoP nonces at the token endpoint (`use_dpop_nonce`). */
  requireDPoPNonce?: boolean
}

/** What a running provider offers its caller. */
export interface RunningOpenIdProvider {
  issuer: string
  clientId: string
  provider: Provider
  counters: {
    refreshCalls: number
    refreshReuseDetections: number
    /** Refresh requests refused because their grant or token is gone (revoked, expired). */
    refreshRejections: number
    revocations: number
    codeExchanges: number
    accessListings: number
    accessRevocations: number
    /** Successful refreshes per account (a session kit's sessions each refresh on their own). */
    refreshesByAccount: Record<string, number>
  }
  /** The device-access endpoint (docs/devices.md): `oidc({ accessEndpoint })`. */
  accessEndpoint: string
  /** The provider's records, indexed by account and grant. */
  store: GrantAdapter
  /** The provider's private signing keys: tests use them to forge a misbehaving provider's answers. */
  signingKeys: { keys: Array<Record<string, unknown>> }
  close(): Promise<void>
}

/** The test user every login resolves to, whatever was typed (devInteractions accepts anything). */
function account(accountId: string) {
  return {
    accountId,
    async claims() {
      return { sub: accountId, email: `${accountId}@example.com`, email_verified: true }
    },
  }
}

async function signingKeys() {
  const keys = []
  for (const alg of ['RS256', 'ES256'] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true })
    keys.push({
      ...(await exportJWK(privateKey)),
      alg,
      use: 'sig',
      kid: `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`,
    })
  }
  return { keys }
}

/**
 * Starts the provider and resolves once it listens.
 *
 * @example
 * ```ts
 * const op = await startOpenIdProvider({ redirectUris: ['http://127.0.0.1:5173/'], apiAudience: 'http://127.0.0.1:5174/' })
 * console.log(op.issuer)
 * await op.close()
 * ```
 */
export async function startOpenIdProvider(options: OpenIdProviderOptions): Promise<RunningOpenIdProvider> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const clientId = options.clientId ?? 'tessera-demo'
  const counters = {
    refreshCalls: 0,
    refreshReuseDetections: 0,
    refreshRejections: 0,
    revocations: 0,
    codeExchanges: 0,
    accessListings: 0,
    accessRevocations: 0,
    refreshesByAccount: {} as Record<string, number>,
  }
  const store = grantAdapter()
  /** What each grant is called in device listings: the user agent that signed in. */
  const labels = new Map<string, string>()
  const ttl = options.accessTokenTtl ?? 60
  const jwks = await signingKeys()

  const configuration: Configuration = {
    adapter: store.adapter,
    clients: [clientId, ...(options.extraClientIds ?? [])].map((client_id) => ({
      client_id,
      token_endpoint_auth_method: 'none' as const,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code' as const],
      redirect_uris: options.redirectUris,
      post_logout_redirect_uris: options.postLogoutRedirectUris ?? options.redirectUris,
    })),
    jwks: structuredClone(jwks),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    findAccount: async (_ctx, id) => account(id),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'email', 'offline_access'],
    // Exact expiry matters to the tests (the default tolerates 15 s).
    clockTolerance: 0,
    ttl: {
      AccessToken: ttl,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Grant: 24 * 3600,
      Session: 24 * 3600,
      Interaction: 600,
    },
    // Public clients get refresh tokens without prompt=consent, and every use rotates them
    // (the default does not rotate DPoP-bound public-client tokens).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    // Grants outlive the provider's browser session: signing a second account in (which logs the
    // first out at the provider) must not revoke the first account's grant. Each device's grant
    // ends by its own sign-out or by device access, not by another account's login.
    expiresWithSession: async () => false,
    // The demo user consents once, automatically, to what the demo asks for.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx
      const existing = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client!.clientId)
      if (existing) return oidc.provider.Grant.find(existing)
      if (!oidc.session?.accountId) return undefined
      const grant = new oidc.provider.Grant({
        clientId: oidc.client!.clientId,
        accountId: oidc.session.accountId,
      })
      grant.addOIDCScope('openid email offline_access')
      grant.addOIDCClaims(['email', 'email_verified'])
      grant.addResourceScope(options.apiAudience, 'api:read')
      const grantId = await grant.save()
      const agent = ctx.get('user-agent')
      if (agent) labels.set(grantId, agent)
      return grant
    },
    clientBasedCORS: (_ctx, origin, client) =>
      (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      dPoP: {
        enabled: true,
        ...(options.requireDPoPNonce ? { nonceSecret: randomBytes(32), requireNonce: () => true } : {}),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => options.apiAudience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: 'api:read',
          audience: options.apiAudience,
          accessTokenTTL: ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    pkce: { required: () => true },
  }

  const provider = new Provider(issuer, configuration)
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = ctx.oidc.params?.grant_type
    if (grantType === 'refresh_token') {
      counters.refreshCalls++
      const account = ctx.oidc.account?.accountId
      if (account) counters.refreshesByAccount[account] = (counters.refreshesByAccount[account] ?? 0) + 1
    }
    if (grantType === 'authorization_code') counters.codeExchanges++
  })
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: { error_detail?: string }) => {
    if (ctx.oidc.params?.grant_type !== 'refresh_token') return
    counters.refreshCalls++
    // oidc-provider revokes the whole grant when a consumed refresh token comes back.
    if (error.error_detail === 'refresh token already used') counters.refreshReuseDetections++
    else if ((error as { error?: string }).error === 'invalid_grant') counters.refreshRejections++
  })
  const access = accessEndpoint({
    provider,
    store,
    issuer,
    audience: options.apiAudience,
    allowedOrigins: () => options.redirectUris.map((uri) => new URL(uri).origin),
    labels,
    counters,
  })
  const callback = provider.callback()
  server.on('request', (req, res) => {
    if (access.handle(req, res)) return
    if (req.method === 'POST' && req.url?.startsWith('/token/revocation')) counters.revocations++
    callback(req, res)
  })

  return {
    issuer,
    clientId,
    provider,
    counters,
    accessEndpoint: `${issuer}${ACCESS_PATH}`,
    store,
    signingKeys: jwks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
