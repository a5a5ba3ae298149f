/** The wallet (web3) sign-in method: Sign-In with Ethereum through any EIP-1193 provider. */
import type { AuthMethod, MethodContext } from '../authMethod.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { siweMessage } from './siweMessage.js'

/**
 * The EIP-1193 surface tessera uses (MetaMask's `window.ethereum`, WalletConnect, Coinbase, …).
 *
 * @example
 * ```ts
 * const provider: Eip1193Provider | undefined = window.ethereum // MetaMask and other injected wallets
 * ```
 */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>
}

/**
 * Options of {@link wallet}. The backend hands out nonces and verifies signed messages; tessera
 * never sees a private key.
 *
 * @example
 * ```ts
 * wallet({ provider: () => window.ethereum, nonceUrl: '/auth/nonce', verifyUrl: '/auth/verify', refreshUrl: '/auth/refresh' })
 * ```
 */
export interface WalletOptions {
  /** Method id (`session.method`); default `wallet`. */
  id?: string
  /** The provider, or a function returning it (read when the user signs in, so it can load late). */
  provider: Eip1193Provider | (() => Eip1193Provider | undefined)
  /** GET → `{ nonce }`. */
  nonceUrl: string
  /** POST `{ message, signature }` → `{ access_token, refresh_token?, expires_at? }`. */
  verifyUrl: string
  /** POST `{ refresh_token? }` → same shape; 400/401 means the session is over. Omit when tokens cannot be refreshed. */
  refreshUrl?: string
  /** POST, best effort, on sign-out. */
  logoutUrl?: string
  /** Shown in the wallet. */
  statement?: string
  /** Default: the page's host. */
  domain?: string
  /** Default: the page's origin. */
  uri?: string
  /** Default: what the wallet reports (`eth_chainId`). */
  chainId?: number
  /** Capabilities the session asks for (EIP-4361 resources); they become `session.authorizations`. */
  resources?: string[]
  /** Default `include`: backends usually keep a refresh cookie (baas). */
  credentials?: RequestCredentials
}

interface TokenResponse {
  access_token?: unknown
  refresh_token?: unknown
  expires_at?: unknown
  expires_in?: unknown
}

async function json(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json()
  } catch (error) {
    throw new SessionError('INVALID_RESPONSE', `${what}: the server did not answer JSON`, { cause: error })
  }
}

function toCredentials(
  body: TokenResponse,
  address: string,
  chainId: number,
  resources: string[] | undefined,
  now: number,
): Credentials {
  if (typeof body.access_token !== 'string' || body.access_token.length === 0) {
    throw new SessionError('INVALID_RESPONSE', 'The server answered without an access token')
  }
  const expiresAt =
    typeof body.expires_at === 'number'
      ? body.expires_at
      : typeof body.expires_in === 'number'
        ? Math.floor(now / 1000) + body.expires_in
        : undefined
  return {
    accessToken: body.access_token,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    address,
    subject: `eip155:${chainId}:${address}`,
    ...(resources?.length ? { authorizations: resources } : {}),
  }
}

async function postJson(ctx: MethodContext, url: string, body: unknown, credentials: RequestCredentials) {
  try {
    return await ctx.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials,
      signal: ctx.signal,
    })
  } catch (error) {
    throw new SessionError('NETWORK', `Could not reach ${new URL(url, 'http://x').pathname}`, {
      cause: error,
    })
  }
}

function hexUtf8(text: string): string {
  return `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/**
 * Sign-In with Ethereum as a tessera method. The session's `address` is the wallet's, its
 * `subject` is `eip155:<chainId>:<address>`, and `authorizations` are the requested resources.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 * import { wallet } from 'tessera-session/wallet'
 *
 * const client = createSessionClient({
 *   appId: 'dapp',
 *   methods: [wallet({ provider: () => window.ethereum, nonceUrl: '/siwe/nonce', verifyUrl: '/siwe/verify', refreshUrl: '/siwe/refresh' })],
 * })
 * await client.signIn()
 * client.getSession()?.address // '0x…'
 * ```
 */
export function wallet(options: WalletOptions): AuthMethod<{ provider?: Eip1193Provider } | undefined> {
  const credentialsMode = options.credentials ?? 'include'
  const providerOf = (override?: Eip1193Provider) => {
    const provider =
      override ?? (typeof options.provider === 'function' ? options.provider() : options.provider)
    if (!provider) throw new SessionError('SIGN_IN_FAILED', 'No wallet (EIP-1193 provider) is available')
    return provider
  }

  const method: AuthMethod<{ provider?: Eip1193Provider } | undefined> = {
    id: options.id ?? 'wallet',

    async signIn(params, ctx) {
      const provider = providerOf(params?.provider)
      let address: string
      let chainId: number
      let signature: unknown
      let message: string
      try {
        const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as unknown
        if (!Array.isArray(accounts) || typeof accounts[0] !== 'string') {
          throw new SessionError('SIGN_IN_FAILED', 'The wallet shared no account')
        }
        address = accounts[0]
        chainId =
          options.chainId ?? Number.parseInt(String(await provider.request({ method: 'eth_chainId' })), 16)
        const nonceRes = await ctx.fetch(options.nonceUrl, {
          credentials: credentialsMode,
          signal: ctx.signal,
        })
        const nonce = ((await json(nonceRes, 'nonce')) as { nonce?: unknown }).nonce
        if (!nonceRes.ok || typeof nonce !== 'string')
          throw new SessionError('INVALID_RESPONSE', 'No sign-in nonce')
        const here = typeof location !== 'undefined' ? new URL(location.href) : null
        message = siweMessage({
          domain: options.domain ?? here?.host ?? 'localhost',
          address,
          ...(options.statement ? { statement: options.statement } : {}),
          uri: options.uri ?? here?.origin ?? 'http://localhost',
          chainId,
          nonce,
          issuedAt: new Date(ctx.now()).toISOString(),
          ...(options.resources ? { resources: options.resources } : {}),
        })
        signature = await provider.request({ method: 'personal_sign', params: [hexUtf8(message), address] })
      } catch (error) {
        if (error instanceof SessionError) throw error
        // EIP-1193 code 4001: the user rejected the request.
        const rejected = (error as { code?: unknown })?.code === 4001
        throw new SessionError(
          'SIGN_IN_FAILED',
          rejected ? 'The user rejected the request' : 'The wallet failed',
          {
            cause: error,
          },
        )
      }
      const res = await postJson(ctx, options.verifyUrl, { message, signature }, credentialsMode)
      if (!res.ok)
        throw new SessionError('SIGN_IN_FAILED', `The server refused the signature (${res.status})`)
      return toCredentials(
        (await json(res, 'verify')) as TokenResponse,
        address,
        chainId,
        options.resources,
        ctx.now(),
      )
    },

    async signOut(credentials, ctx) {
      if (!options.logoutUrl) return
      await postJson(ctx, options.logoutUrl, { refresh_token: credentials.refreshToken }, credentialsMode)
    },
  }

  if (options.refreshUrl) {
    const refreshUrl = options.refreshUrl
    method.refresh = async (credentials, ctx) => {
      const res = await postJson(
        ctx,
        refreshUrl,
        { refresh_token: credentials.refreshToken },
        credentialsMode,
      )
      if (res.status === 400 || res.status === 401 || res.status === 403) {
        throw new SessionError('SESSION_EXPIRED', 'The server rejected the refresh')
      }
      if (!res.ok) throw new SessionError('NETWORK', `The refresh endpoint answered ${res.status}`)
      const chainId = Number(credentials.subject?.split(':')[1] ?? options.chainId ?? 1)
      return toCredentials(
        (await json(res, 'refresh')) as TokenResponse,
        credentials.address ?? '',
        chainId,
        credentials.authorizations,
        ctx.now(),
      )
    }
  }
  return method
}
