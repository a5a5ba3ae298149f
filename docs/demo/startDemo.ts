/**
 * The demo: a real OpenID provider, a DPoP-protected API, a passkey server and the demo page, all on
 * 127.0.0.1. `npm run demo` runs it; the end-to-end tests start it too.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { type RunningOpenIdProvider, startOpenIdProvider } from './server/openidProvider.js'
import { createPasskeyServer, type PasskeyServer } from './server/passkeyServer.js'
import { type RunningProtectedApi, startProtectedApi } from './server/protectedApi.js'
import { type SessionDataStore, sessionDataStore } from './server/sessionDataStore.js'
import { type WalletAuth, walletAuth } from './server/walletAuth.js'

const pageDir = fileURLToPath(new URL('./page/', import.meta.url))

/** A running demo. */
export interface RunningDemo {
  url: string
  /**
   * The same page as `http://localhost:<port>/`. Passkeys work only there: WebAuthn accepts no IP
   * address as relying-party id, and localhost is a secure context without TLS.
   */
  localhostUrl: string
  /** The passkey server, mounted on the page's origin under `/passkey/`. */
  passkey: PasskeyServer
  op: RunningOpenIdProvider
  api: RunningProtectedApi
  /** Encrypted session data (`tessera-session/session-data`), served under `/session-data/`. */
  sessionData: SessionDataStore
  /** The wallet sign-in backend, on the page's origin. */
  wallet: WalletAuth
  close(): Promise<void>
}

/** Bundles the page's script for the browser, in memory. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [`${pageDir}main.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  return result.outputFiles[0]?.text ?? ''
}

/**
 * Starts everything and resolves once it all listens.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ port: 5173 })
 * console.log(demo.url)
 * await demo.close()
 * ```
 */
export async function startDemo(
  options: { port?: number; accessTokenTtl?: number } = {},
): Promise<RunningDemo> {
  const page: Server = createServer()
  await new Promise<void>((resolve, reject) => {
    page.once('error', reject)
    page.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const url = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`
  const localhostUrl = `http://localhost:${(page.address() as AddressInfo).port}/`
  const pageOrigins = [new URL(url).origin, new URL(localhostUrl).origin]
  const api = await startProtectedApi({ allowedOrigins: pageOrigins, requireDPoPNonce: true })
  const passkey = await createPasskeyServer({
    origin: localhostUrl,
    accessTokenTtl: options.accessTokenTtl ?? 60,
  })
  const op = await startOpenIdProvider({
    redirectUris: [url, localhostUrl],
    postLogoutRedirectUris: [url, localhostUrl],
    apiAudience: api.url,
    accessTokenTtl: options.accessTokenTtl ?? 60,
  })
  api.setIssuer(op.issuer)
  const [script, html, css] = await Promise.all([
    bundlePage(),
    readFile(`${pageDir}index.html`, 'utf8'),
    readFile(`${pageDir}demo.css`, 'utf8'),
  ])
  const config = JSON.stringify({
    issuer: op.issuer,
    clientId: op.clientId,
    apiUrl: api.url,
    passkeyBase: passkey.basePath,
    localhostUrl,
    accessEndpoint: op.accessEndpoint,
  })
  const sessionData = sessionDataStore('/session-data')
  const wallet = walletAuth({ domain: new URL(url).host })
  page.on('request', (req, res) => {
    if (wallet.handle(req, res)) return
    const path = new URL(req.url ?? '/', url).pathname
    const send = (type: string, body: string) =>
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body)
    if (path === '/main.js') return send('text/javascript; charset=utf-8', script)
    if (path === '/demo.css') return send('text/css; charset=utf-8', css)
    if (path === '/config.json') return send('application/json', config)
    if (path.startsWith(passkey.basePath)) return void passkey.handle(req, res)
    if (path === '/' || path === '/index.html') return send('text/html; charset=utf-8', html)
    if (path.startsWith('/session-data/')) return sessionData.handle(req, res, path)
    res.writeHead(404).end()
  })
  return {
    url,
    localhostUrl,
    passkey,
    op,
    api,
    sessionData,
    wallet,
    async close() {
      page.closeAllConnections()
      await Promise.all([
        new Promise<void>((resolve) => page.close(() => resolve())),
        op.close(),
        api.close(),
      ])
    },
  }
}
