/** The demo page: one tessera client against the embedded OpenID provider or a passkey, shown live. */
import { sessionMachine } from '../../../machines/session.machine.js'
import { createSessionClient, type Session, type SessionClient, SessionError } from '../../../src/index.js'
import { createSessionKit } from '../../../src/kit/index.js'
import { oidc } from '../../../src/oidc/index.js'
import { type PasskeyMethod, passkey } from '../../../src/passkey/index.js'
import { type Eip1193Provider, wallet } from '../../../src/wallet/index.js'
import { wireKitPanel } from './kitPanel.js'
import { renderStatechart } from './statechartSvg.js'

interface DemoConfig {
  issuer: string
  clientId: string
  apiUrl: string
  passkeyBase: string
  localhostUrl: string
  accessEndpoint: string
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function log(line: string) {
  const item = document.createElement('li')
  item.textContent = `${new Date().toLocaleTimeString()}  ${line}`
  $('log').prepend(item)
}

function showClaims(session: Session | null) {
  const dl = $('claims')
  dl.replaceChildren()
  if (!session) return
  const rows: Array<[string, unknown]> = [
    ['subject', session.subject],
    ['email', session.email],
    ['method', session.method],
    ['token type', session.tokenType],
    ['issued at', new Date(session.issuedAt * 1000).toLocaleTimeString()],
    ['expires at', new Date(session.expiresAt * 1000).toLocaleTimeString()],
    ['key (did)', session.did],
    ['key thumbprint', session.keyThumbprint],
    [
      'capability',
      session.capability ? `${session.capability.p.iss} → ${session.capability.p.aud}` : undefined,
    ],
    ['claims', JSON.stringify(session.claims ?? {})],
  ]
  for (const [name, value] of rows) {
    if (value === undefined) continue
    const dt = document.createElement('dt')
    dt.textContent = name
    const dd = document.createElement('dd')
    dd.textContent = String(value)
    dl.append(dt, dd)
  }
}

/** The passkey controls: register, sign in with one prompt, and autofill on the name field. */
function wirePasskeys(client: SessionClient, passkeys: PasskeyMethod, config: DemoConfig) {
  const outcome = $('passkey-outcome')
  const report = (what: string, done: Promise<Session>) =>
    done.then(
      (session) => {
        outcome.textContent = `${what}: signed in as ${String(session.claims?.name ?? session.subject)}`
        log(outcome.textContent)
      },
      (e: unknown) => {
        const detail = e instanceof SessionError ? `${e.code}: ${e.message}` : String(e)
        // An autofill ends quietly (replaced by a button's prompt, nothing picked): only the log says so.
        if (what.endsWith('autofill')) return log(`${what} ended: ${detail}`)
        outcome.textContent = e instanceof SessionError ? e.code : String(e)
        log(`${what} failed: ${detail}`)
      },
    )
  if (location.hostname !== 'localhost') {
    const note = $('passkey-note')
    note.hidden = false
    note.append('Passkeys need a domain, not an IP address: open ')
    const link = Object.assign(document.createElement('a'), { href: config.localhostUrl })
    link.textContent = config.localhostUrl
    note.append(link)
  }
  $('passkey-register').addEventListener('click', () => {
    const name = ($('passkey-name') as HTMLInputElement).value.trim() || 'ada'
    void report('passkey registration', client.signIn({ register: true, name }, { method: 'passkey' }))
  })
  $('passkey-sign-in').addEventListener('click', () => {
    void report('passkey sign-in', client.signIn(undefined, { method: 'passkey' }))
  })
  // Autofill waits for the user to pick a passkey in the name field's suggestions. It starts on
  // focus rather than on load so that, with an authenticator that answers at once (Chromium's
  // virtual one in the tests), the buttons stay the only prompts; an app may start it on load.
  let autofill: AbortController | null = null
  $('passkey-name').addEventListener('focus', () => {
    if (autofill || client.getSession()) return
    const controller = new AbortController()
    autofill = controller
    void report('passkey autofill', passkeys.autofill(client, { signal: controller.signal })).finally(() => {
      if (autofill === controller) autofill = null
    })
  })
}

async function main() {
  const config = (await (await fetch('/config.json')).json()) as DemoConfig
  const passkeys = passkey({
    registrationOptionsUrl: `${config.passkeyBase}register/options`,
    registrationVerifyUrl: `${config.passkeyBase}register/verify`,
    authenticationOptionsUrl: `${config.passkeyBase}authenticate/options`,
    authenticationVerifyUrl: `${config.passkeyBase}authenticate/verify`,
    refreshUrl: `${config.passkeyBase}token/refresh`,
    logoutUrl: `${config.passkeyBase}logout`,
  })
  const openId = () =>
    oidc({
      issuer: config.issuer,
      clientId: config.clientId,
      redirectUri: `${location.origin}/`,
      postLogoutRedirectUri: `${location.origin}/`,
      scope: 'openid email offline_access api:read',
      dpop: true,
      // The embedded provider speaks plain http on 127.0.0.1; never allowed for other hosts.
      allowInsecureLoopback: true,
      // Device access: the provider lists and revokes the account's grants there.
      accessEndpoint: config.accessEndpoint,
    })
  const client = createSessionClient({
    appId: 'tessera-demo',
    methods: [
      openId(),
      passkeys,
      // Sign-In with Ethereum through whatever wallet the page has (window.ethereum); the wallet
      // delegates to the session key for the resources below, for a week.
      wallet({
        provider: () => (window as unknown as { ethereum?: Eip1193Provider }).ethereum,
        nonceUrl: '/wallet/nonce',
        verifyUrl: '/wallet/verify',
        resources: ['ceramic://*', `${location.origin}/wallet/posts`],
      }),
    ],
    apiOrigins: [new URL(config.apiUrl).origin],
    // The page routes the provider's callback itself: to this client or to the kit's session.
    detectRedirectCallback: false,
  })
  // Several accounts at once, each its own session (docs/kit.md).
  const kit = createSessionKit({
    appId: 'tessera-demo-kit',
    methods: [openId()],
    apiOrigins: [new URL(config.apiUrl).origin],
    detectRedirectCallback: false,
  })
  // For the end-to-end tests and the curious: the client and the kit are on window.
  Object.assign(window, { tessera: client, tesseraKit: kit })
  const here = new URL(location.href)
  if (here.searchParams.has('state') && (here.searchParams.has('code') || here.searchParams.has('error'))) {
    // Whoever started the redirect completes it: the page's client, or one of the kit's sessions.
    const completing =
      client.getStatus() === 'oidcRedirectPending'
        ? client.handleRedirectCallback(here)
        : kit.handleRedirectCallback(here).then(({ session }) => session)
    completing.catch((e: unknown) => log(`completing the sign-in failed: ${(e as Error).message}`))
  }

  const render = () => {
    const status = client.getStatus()
    $('status').textContent = status
    $('statechart').innerHTML = renderStatechart(sessionMachine, status)
    ;($('sign-in') as HTMLButtonElement).disabled = status === 'active' || status === 'refreshing'
    const walletButton = $('wallet-sign-in') as HTMLButtonElement
    walletButton.hidden = !(window as unknown as { ethereum?: unknown }).ethereum
    walletButton.disabled = status === 'active' || status === 'refreshing'
    ;($('sign-out') as HTMLButtonElement).disabled = status === 'signedOut'
  }
  client.authState$.subscribe(({ status, session }) => {
    log(`state: ${status}${session ? ` (${session.subject})` : ''}`)
    showClaims(session)
    render()
  })
  client.sessionExpired$.subscribe((e) => log(`session expired: ${e.reason}`))
  client.errors$.subscribe((e) => log(`error ${e.code}: ${e.message}`))

  setInterval(() => {
    const session = client.getSession()
    $('countdown').textContent = session ? `expires in ${client.expiresInSecs}s` : ''
  }, 500)

  $('sign-in').addEventListener('click', () => {
    log('sign in: redirecting to the provider')
    client.signIn().catch((e: unknown) => log(`sign-in failed: ${(e as Error).message}`))
  })
  $('wallet-sign-in').addEventListener('click', () => {
    log('sign in: asking the wallet')
    client
      .signIn(undefined, { method: 'wallet' })
      .catch((e: unknown) => log(`wallet sign-in failed: ${(e as Error).message}`))
  })
  $('refresh').addEventListener('click', () => {
    client.refresh().then(
      () => log('refreshed'),
      (e: unknown) => log(`refresh failed: ${e instanceof SessionError ? e.code : String(e)}`),
    )
  })
  $('call-api').addEventListener('click', async () => {
    try {
      // Passkey sessions carry the passkey server's Bearer tokens, which its own route accepts.
      const api = client.getSession()?.method === 'passkey' ? `${config.passkeyBase}me` : config.apiUrl
      const res = await client.fetch(api)
      log(`API ${res.status}: ${(await res.text()).slice(0, 200)}`)
    } catch (e) {
      log(`API call failed: ${(e as Error).message}`)
    }
  })
  $('sign-out').addEventListener('click', () => {
    void client.signOut().then(() => log('signed out (refresh token revoked in the background)'))
  })
  $('open-tab').addEventListener('click', () => window.open(location.origin, '_blank'))
  wirePasskeys(client, passkeys, config)
  wireKitPanel(kit, log)
  render()
}

main().catch((error: unknown) => {
  document.body.prepend(Object.assign(document.createElement('pre'), { textContent: String(error) }))
})
