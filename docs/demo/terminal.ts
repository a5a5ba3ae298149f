/**
 * A terminal tour of the lifecycle: sign in with an in-process token method, watch a short-lived
 * token refresh twice, see the third refresh rejected, the expired event replayed to a late
 * subscriber, and the sign-out. Every state change is printed with its time. Exits 0.
 */
import {
  type AuthMethod,
  type Credentials,
  createSessionClient,
  memoryStorage,
  SessionError,
} from '../../src/index.js'

const LIFETIME_SECONDS = 4
const started = Date.now()
const stamp = () => `+${((Date.now() - started) / 1000).toFixed(2).padStart(5)}s`
const log = (line: string) => console.log(`${stamp()}  ${line}`)

/** A token server living in this process: it rotates refresh tokens and rejects the third refresh. */
function inProcessTokenMethod(): AuthMethod<{ user: string }> {
  let issued = 0
  let refreshes = 0
  const issue = (user: string): Credentials => {
    issued++
    const now = Math.floor(Date.now() / 1000)
    const payload = Buffer.from(
      JSON.stringify({ sub: user, iat: now, exp: now + LIFETIME_SECONDS }),
    ).toString('base64url')
    return {
      accessToken: `eyJhbGciOiJub25lIn0.${payload}.`,
      refreshToken: `refresh-${issued}`,
      email: `${user}@example.com`,
    }
  }
  return {
    id: 'demo-password',
    async signIn({ user }) {
      return issue(user)
    },
    async refresh(credentials) {
      refreshes++
      if (refreshes === 3)
        throw new SessionError('SESSION_EXPIRED', 'The demo server revoked the refresh token')
      return issue(credentials.subject ?? 'ada')
    },
  }
}

async function main() {
  const client = createSessionClient({
    appId: 'terminal-demo',
    methods: [inProcessTokenMethod()],
    storage: memoryStorage(),
    // Refresh 1 s before expiry so the demo moves along: a 4 s token refreshes at 3 s.
    refreshSkewSeconds: 1,
    sync: false,
  })

  let refreshed = 0
  client.authState$.subscribe(({ status, session }) => {
    const who = session
      ? ` as ${session.subject}, expires in ${Math.max(0, session.expiresAt - Date.now() / 1000).toFixed(1)}s`
      : ''
    log(`state: ${status}${who}`)
    if (status === 'active' && session) refreshed++
  })
  client.errors$.subscribe((error) => log(`error: ${error.code} (${error.message})`))

  log('signing in as ada')
  await client.signIn({ user: 'ada' })

  const expired = new Promise<void>((resolve) => {
    const stop = client.onSessionExpired(() => {
      stop()
      resolve()
    })
  })
  const deadline = setTimeout(() => {
    console.error('The demo did not reach expiry in time')
    process.exit(1)
  }, 20_000)
  await expired
  clearTimeout(deadline)
  log(`the session was active ${refreshed} times (sign-in + ${refreshed - 1} refreshes)`)

  // A subscriber that arrives late still learns why the session ended (the replay).
  client.sessionExpired$.subscribe((event) =>
    log(
      `late subscriber got the replayed expired event: reason=${event.reason}, subject=${event.session.subject}`,
    ),
  )

  log('signing out')
  await client.signOut()
  let replays = 0
  client.onSessionExpired(() => replays++)
  log(`after sign-out the replay is cleared: ${replays === 0 ? 'yes' : 'no'}`)
  client.destroy()
  log('done')
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
