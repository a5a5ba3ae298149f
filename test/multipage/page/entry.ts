// The page every multi-tab test opens: one tessera client against the loopback token server,
// driven from Node through window.harness. Configured by the query string.
import {
  type AuthMethod,
  cookieStorage,
  createSessionClient,
  encryptedStorage,
  indexedDbStorage,
  memoryStorage,
  type SessionClient,
  SessionError,
  type StorageOption,
  webStorage,
} from '../../../src/index.js'

const params = new URL(location.href).searchParams
const server = params.get('server') as string
const clockOffset = { ms: 0 }

const method: AuthMethod<{ sub: string }> = {
  id: 'password',
  async signIn({ sub }, ctx) {
    const res = await ctx.fetch(`${server}/login`, { method: 'POST', body: JSON.stringify({ sub }) })
    const body = await res.json()
    return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: body.expires_at }
  },
  async refresh(credentials, ctx) {
    harness.refreshing = true
    // A test can freeze the refresh of whichever tab wins the lock, then close that tab.
    if (harness.freezeRefresh) await new Promise(() => undefined)
    try {
      const res = await ctx.fetch(`${server}/refresh`, {
        method: 'POST',
        body: JSON.stringify({ refresh_token: credentials.refreshToken }),
        signal: ctx.signal,
      })
      if (res.status === 400) throw new SessionError('SESSION_EXPIRED', 'refresh rejected')
      if (!res.ok) throw new SessionError('NETWORK', `refresh answered ${res.status}`)
      const body = await res.json()
      harness.refreshesMade++
      return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: body.expires_at }
    } finally {
      harness.refreshing = false
    }
  },
}

/** The storage the query string names (`?storage=idb|memory|encrypted|cookies`), localStorage by default. */
function storageFor(name: string | null): StorageOption {
  if (name === 'idb') return indexedDbStorage({ dbName: 'multipage' })
  if (name === 'memory') return memoryStorage()
  if (name === 'encrypted') return encryptedStorage(webStorage(localStorage))
  if (name === 'cookies') {
    return { default: webStorage(localStorage), refreshToken: cookieStorage(), idToken: cookieStorage() }
  }
  return webStorage(localStorage)
}

const constructedAt = performance.now()
const client: SessionClient = createSessionClient({
  appId: 'multipage',
  methods: [method],
  storage: storageFor(params.get('storage')),
  refreshSkewSeconds: Number(params.get('skew') ?? 2),
  environment: { now: () => Date.now() + clockOffset.ms },
})

const harness = {
  client,
  refreshing: false,
  freezeRefresh: false,
  refreshesMade: 0,
  /** What the page knew on the line right after construction. */
  initialStatus: client.getStatus(),
  initialSubject: client.getSession()?.subject ?? null,
  /** ms from construction to a known session (null until then). */
  knownAfterMs: null as number | null,
  signedOutAt: null as number | null,
  statuses: [] as string[],
  errors: [] as string[],
  clockOffset,
}
client.authState$.subscribe(({ status, session }) => {
  harness.statuses.push(status)
  if (session && harness.knownAfterMs === null) harness.knownAfterMs = performance.now() - constructedAt
  if (status === 'signedOut' && harness.signedOutAt === null) harness.signedOutAt = Date.now()
  if (status !== 'signedOut') harness.signedOutAt = null
})
client.errors$.subscribe((e) => harness.errors.push(e.code))
Object.assign(window, { harness })
document.title = 'ready'
