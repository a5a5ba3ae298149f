/** The peers' "give me the current token" calls, for the hot-path table of docs/benchmarks.md. */
import { fakeJwt } from '../../kit/jwt.js'
import { opsPerSecond } from '../measure.js'
import type { PeerBenches } from '../peerBenches.js'

/** The peers' equivalent "give me the current token" calls, each on a fresh session in memory. */
export const peerHotPaths: PeerBenches['peerHotPaths'] = async () => {
  const fresh = fakeJwt({ sub: 'bench', exp: Math.floor(Date.now() / 1000) + 3600 })
  const rows: Awaited<ReturnType<PeerBenches['peerHotPaths']>> = []

  const { GoTrueClient } = await import('@supabase/auth-js')
  const store = new Map<string, string>()
  store.set(
    'bench',
    JSON.stringify({
      access_token: fresh,
      refresh_token: 'rt',
      token_type: 'bearer',
      expires_in: 3600,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      user: { id: 'bench', aud: 'authenticated', app_metadata: {}, user_metadata: {}, created_at: '' },
    }),
  )
  const auth = new GoTrueClient({
    url: 'http://127.0.0.1:9/auth/v1',
    storageKey: 'bench',
    storage: {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    },
    autoRefreshToken: false,
    detectSessionInUrl: false,
  })
  rows.push({
    library: '@supabase/auth-js',
    call: '`getSession()`',
    ops: await opsPerSecond(async () => (await auth.getSession()).data.session?.access_token, {
      batch: 5_000,
    }),
  })

  const { UserManager, User, WebStorageStateStore, InMemoryWebStorage } = await import('oidc-client-ts')
  const manager = new UserManager({
    authority: 'http://127.0.0.1:9',
    client_id: 'bench',
    redirect_uri: 'http://127.0.0.1/cb',
    automaticSilentRenew: false,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    metadata: {
      issuer: 'http://127.0.0.1:9',
      authorization_endpoint: 'http://127.0.0.1:9/a',
      token_endpoint: 'http://127.0.0.1:9/t',
    },
  })
  await manager.storeUser(
    new User({
      access_token: fresh,
      token_type: 'Bearer',
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      profile: { sub: 'bench', iss: '', aud: '', exp: 0, iat: 0 },
    }),
  )
  rows.push({
    library: 'oidc-client-ts',
    call: '`UserManager.getUser()`',
    ops: await opsPerSecond(async () => (await manager.getUser())?.access_token, { batch: 5_000 }),
  })

  const session = await torusSession(fresh)
  rows.push({
    library: '@toruslabs/session-manager',
    call: '`AuthSessionManager.getAccessToken()`',
    ops: await opsPerSecond(() => session.getAccessToken(), { batch: 100_000 }),
  })
  return rows
}

/** Torus's session manager holding `accessToken`, in memory: its token read, for the paired measurement. */
async function torusSession(accessToken: string) {
  const { AuthSessionManager, MemoryStorage } = await import('@toruslabs/session-manager')
  const session = new AuthSessionManager({
    apiClientConfig: { baseURL: 'http://127.0.0.1:9' },
    storage: {
      accessToken: new MemoryStorage(),
      refreshToken: new MemoryStorage(),
      sessionId: new MemoryStorage(),
      idToken: new MemoryStorage(),
    },
  } as never)
  await session.setTokens({ sessionId: 'abcd', accessToken, refreshToken: 'rt' } as never)
  return session
}

/**
 * Torus's `getAccessToken()` on a fresh token, for a measurement paired batch by batch with
 * tessera's (drift on a noisy machine then hits both alike).
 */
export const torusAccessToken: PeerBenches['torusAccessToken'] = async (accessToken) => {
  const session = await torusSession(accessToken)
  return () => session.getAccessToken()
}
