/** Starts the real OpenID provider and the DPoP-protected API on loopback for a test file. */
import { type RunningOpenIdProvider, startOpenIdProvider } from '../../docs/demo/server/openidProvider.js'
import { type RunningProtectedApi, startProtectedApi } from '../../docs/demo/server/protectedApi.js'

export const REDIRECT_URI = 'http://127.0.0.1:9/callback'

export interface OidcFixture {
  op: RunningOpenIdProvider
  api: RunningProtectedApi
  close(): Promise<void>
}

export async function startOidcFixture(
  options: {
    accessTokenTtl?: number
    providerNonce?: boolean
    apiNonce?: boolean
    extraClientIds?: string[]
  } = {},
): Promise<OidcFixture> {
  const api = await startProtectedApi({ requireDPoPNonce: options.apiNonce ?? false })
  const op = await startOpenIdProvider({
    redirectUris: [REDIRECT_URI],
    apiAudience: api.url,
    ...(options.accessTokenTtl ? { accessTokenTtl: options.accessTokenTtl } : {}),
    requireDPoPNonce: options.providerNonce ?? false,
    ...(options.extraClientIds ? { extraClientIds: options.extraClientIds } : {}),
  })
  api.setIssuer(op.issuer)
  return {
    op,
    api,
    async close() {
      await Promise.all([op.close(), api.close()])
    },
  }
}
