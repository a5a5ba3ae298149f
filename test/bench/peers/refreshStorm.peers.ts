/** The peers' side of the refresh storm: each library through its own public API, in Node. */
import type { PeerBenches } from '../peerBenches.js'
import { expired, storm } from '../refreshStorm.js'

async function supabaseStorm(base: string) {
  const { GoTrueClient } = await import('@supabase/auth-js')
  const store = new Map<string, string>()
  const storage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  }
  const auth = new GoTrueClient({
    url: `${base}/auth/v1`,
    storageKey: 'bench',
    storage,
    autoRefreshToken: false,
    persistSession: true,
    detectSessionInUrl: false,
  })
  const past = Math.floor(Date.now() / 1000) - 60
  store.set(
    'bench',
    JSON.stringify({
      access_token: expired(),
      refresh_token: 'rt-static',
      token_type: 'bearer',
      expires_in: 3600,
      expires_at: past,
      user: {
        id: 'bench-user',
        aud: 'authenticated',
        role: 'authenticated',
        app_metadata: {},
        user_metadata: {},
        created_at: '',
      },
    }),
  )
  await auth.initialize().catch(() => undefined)
  return storm(async () => {
    const { data } = await auth.getSession()
    const token = data.session?.access_token
    return (await fetch(`${base}/api`, { headers: { authorization: `Bearer ${token}` } })).ok
  })
}

async function oidcClientTsStorm(base: string) {
  const { UserManager, User, WebStorageStateStore, InMemoryWebStorage } = await import('oidc-client-ts')
  const authority = `${base}/oidc`
  const manager = new UserManager({
    authority,
    client_id: 'bench',
    redirect_uri: 'http://127.0.0.1/callback',
    automaticSilentRenew: false,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    metadata: {
      issuer: authority,
      authorization_endpoint: `${authority}/auth`,
      token_endpoint: `${authority}/token`,
    },
  })
  await manager.storeUser(
    new User({
      access_token: expired(),
      refresh_token: 'rt-static',
      token_type: 'Bearer',
      expires_at: Math.floor(Date.now() / 1000) - 60,
      profile: { sub: 'bench-user', iss: authority, aud: 'bench', exp: 0, iat: 0 },
      scope: 'openid',
    }),
  )
  return storm(async () => {
    let user = await manager.getUser()
    if (!user || user.expired) user = await manager.signinSilent()
    return (await fetch(`${base}/api`, { headers: { authorization: `Bearer ${user?.access_token}` } })).ok
  })
}

async function torusStorm(base: string) {
  const { AuthSessionManager, HttpClient, MemoryStorage } = await import('@toruslabs/session-manager')
  const session = new AuthSessionManager({
    apiClientConfig: { baseURL: base },
    storage: {
      accessToken: new MemoryStorage(),
      refreshToken: new MemoryStorage(),
      sessionId: new MemoryStorage(),
      idToken: new MemoryStorage(),
    },
  } as never)
  // The seed documentation shows snake_case keys; the code reads camelCase ones.
  await session.setTokens({ sessionId: 'abcd', accessToken: expired(), refreshToken: 'rt-static' } as never)
  const http = new HttpClient(session)
  return storm(async () => {
    const body = await http.get<{ ok: boolean }>(`${base}/api`, { authenticated: true } as never)
    return body.ok === true
  })
}

export const peerStorms: PeerBenches['peerStorms'] = [
  ['@supabase/auth-js `getSession()` + fetch', supabaseStorm],
  ['oidc-client-ts `UserManager` (`getUser`/`signinSilent`) + fetch', oidcClientTsStorm],
  ['@toruslabs/session-manager `HttpClient` `authenticated: true`', torusStorm],
]
