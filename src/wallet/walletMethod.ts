/** The wallet (web3) sign-in method: Sign-In with Ethereum through any EIP-1193 provider. */
import type { AuthMethod, MethodContext } from '../authMethod.js'
import type { Cacao } from '../capability/cacao.js'
import { encodeRecap, type Recap, recapStatement } from '../capability/recap.js'
import type { SessionKey } from '../keys/SessionKey.js'
import { isSessionError, SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { toChecksumAddress } from './eip55.js'
import { type SiweFields, siweMessage } from './siweMessage.js'

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
 * did-session's default: a capability lasts one week.
 *
 * @example
 * ```ts
 * await client.signIn({ expiresInSecs: DEFAULT_CAPABILITY_SECONDS / 7 }) // one day instead
 * ```
 */
export const DEFAULT_CAPABILITY_SECONDS = 7 * 24 * 3600

/**
 * The statement a capability message carries when the app gives none (see {@link WalletOptions.statement}).
 *
 * @example
 * ```ts
 * client.getSession()?.capability?.p.statement === DEFAULT_CAPABILITY_STATEMENT // when the app set none
 * ```
 */
export const DEFAULT_CAPABILITY_STATEMENT =
  'Allow this session key to act for your account on the listed resources.'

/**
 * What the capability asks for; set on {@link wallet} for every sign-in, or per call in
 * `client.signIn({ … })`, where it wins.
 *
 * @example
 * ```ts
 * await client.signIn({ resources: ['https://api.example/posts'], expiresInSecs: 3600 })
 * ```
 */
export interface CapabilityRequest {
  /** EIP-4361 resources the session key may act on (did-session's `resources`), e.g. `ceramic://*`. */
  resources?: string[]
  /** An EIP-5573 ReCap: encoded as the last resource, its statement appended to the message's. */
  recap?: Recap
  /** Lifetime of the capability; default one week. */
  expiresInSecs?: number
  /** Shown in the wallet; one line of ASCII. */
  statement?: string
}

/**
 * Per-call parameters of a wallet sign-in.
 *
 * @example
 * ```ts
 * await client.signIn({ account: 'eip155:1:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', resources: ['ceramic://*'] })
 * ```
 */
export interface WalletSignInParams extends CapabilityRequest {
  provider?: Eip1193Provider
  /** Sign in as this account only (address, `eip155:<chain>:<address>` or `did:pkh`): the wallet must share it. */
  account?: string
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
export interface WalletOptions extends CapabilityRequest {
  /** Method id (`session.method`); default `wallet`. */
  id?: string
  /** The provider, or a function returning it (read when the user signs in, so it can load late). */
  provider: Eip1193Provider | (() => Eip1193Provider | undefined)
  /** GET → `{ nonce }`: a fresh, single-use nonce of at least 8 letters and digits. */
  nonceUrl: string
  /** POST `{ message, signature, cacao? }` → `{ access_token, refresh_token?, expires_at? }`. */
  verifyUrl: string
  /** POST `{ refresh_token? }` → same shape; 400/401 means the session is over. Omit when tokens cannot be refreshed. */
  refreshUrl?: string
  /** POST, best effort, on sign-out. */
  logoutUrl?: string
  /** Default: the page's host. */
  domain?: string
  /** The message's URI for a client without session keys (`keyStore: false`). Default: the page's origin. */
  uri?: string
  /** Default: what the wallet reports (`eth_chainId`). */
  chainId?: number
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
  identity: Pick<Credentials, 'address' | 'subject' | 'authorizations' | 'capability'>,
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
    ...identity,
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

/** The wallet's address, EIP-55 checksummed: wallets often share it in lowercase. */
function sharedAddress(account: string): string {
  try {
    return toChecksumAddress(account)
  } catch (error) {
    throw new SessionError(
      'SIGN_IN_FAILED',
      `The wallet shared an unusable address: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
}

/** The account the caller asked for, as `{ chainId?, address }`. */
function requestedAccount(account: string): { chainId?: number; address: string } {
  const m = /^(?:did:pkh:)?(?:eip155:([1-9][0-9]*):)?(0x[0-9a-fA-F]{40})$/.exec(account)
  if (!m)
    throw new SessionError('INVALID_PARAMS', 'The account is not an Ethereum address, account id or did:pkh')
  return { ...(m[1] ? { chainId: Number(m[1]) } : {}), address: m[2] as string }
}

function hexUtf8(text: string): string {
  return `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/** The session key, or null when the client runs without keys (then there is no capability). */
async function sessionKeyOrNull(ctx: MethodContext): Promise<SessionKey | null> {
  try {
    return await ctx.sessionKey()
  } catch (error) {
    if (isSessionError(error, 'KEY_UNAVAILABLE')) return null
    throw error
  }
}

/**
 * The CAIP-74 CACAO for a signed EIP-4361 message: the same fields, named as CAIP-74 names them.
 *
 * @example
 * ```ts
 * import { siweMessage, type SiweFields } from './siweMessage.js'
 *
 * declare const fields: SiweFields
 * const signature = (await window.ethereum?.request({ method: 'personal_sign', params: [siweMessage(fields), fields.address] })) as string
 * const cacao = cacaoFromSiwe(fields, signature)
 * ```
 */
export function cacaoFromSiwe(fields: SiweFields, signature: string): Cacao {
  const address = toChecksumAddress(fields.address)
  const p: Cacao['p'] = {
    domain: fields.domain,
    iss: `did:pkh:eip155:${fields.chainId}:${address}`,
    aud: fields.uri,
    version: '1',
    nonce: fields.nonce,
    iat: fields.issuedAt,
  }
  if (fields.notBefore !== undefined) p.nbf = fields.notBefore
  if (fields.expirationTime !== undefined) p.exp = fields.expirationTime
  if (fields.statement !== undefined) p.statement = fields.statement
  if (fields.requestId !== undefined) p.requestId = fields.requestId
  if (fields.resources?.length) p.resources = [...fields.resources]
  // 65 bytes (r, s, v) is an EOA's signature; anything else is a contract wallet's (EIP-1271/6492).
  const eoa = /^0x[0-9a-fA-F]{130}$/.test(signature)
  return { h: { t: 'eip4361' }, p, s: { t: eoa ? 'eip191' : 'eip1271', s: signature } }
}

/**
 * Sign-In with Ethereum as a tessera method, did-session style: the wallet signs once an EIP-4361
 * message whose `URI` is the session key's `did:key`, naming the `resources` it may act on and
 * expiring after a week by default; the signed result is the session's `capability` (a CACAO).
 * From then on the session key signs: `client.getIdToken()` is a JWT by the session key that
 * carries the CACAO (see `tessera-session/server`). The session's `address` is the wallet's
 * (EIP-55), its `subject` `eip155:<chainId>:<address>`, and `authorizations` the resources.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 * import { wallet } from 'tessera-session/wallet'
 *
 * const client = createSessionClient({
 *   appId: 'dapp',
 *   methods: [wallet({ provider: () => window.ethereum, nonceUrl: '/siwe/nonce', verifyUrl: '/siwe/verify', resources: ['ceramic://*'] })],
 * })
 * await client.signIn()
 * client.getSession()?.capability?.p.aud // the session key's did:key
 * ```
 */
export function wallet(options: WalletOptions): AuthMethod<WalletSignInParams | undefined> {
  const credentialsMode = options.credentials ?? 'include'
  const providerOf = (override?: Eip1193Provider) => {
    const provider =
      override ?? (typeof options.provider === 'function' ? options.provider() : options.provider)
    if (!provider) throw new SessionError('SIGN_IN_FAILED', 'No wallet (EIP-1193 provider) is available')
    return provider
  }

  const method: AuthMethod<WalletSignInParams | undefined> = {
    id: options.id ?? 'wallet',

    async signIn(params, ctx) {
      const provider = providerOf(params?.provider)
      const wanted = params?.account ? requestedAccount(params.account) : undefined
      const resources = [...(params?.resources ?? options.resources ?? [])]
      const recap = params?.recap ?? options.recap
      const expiresInSecs = params?.expiresInSecs ?? options.expiresInSecs ?? DEFAULT_CAPABILITY_SECONDS
      if (!(expiresInSecs > 0)) throw new SessionError('INVALID_PARAMS', 'expiresInSecs must be positive')
      let fields: SiweFields
      let signature: string
      let message: string
      let key: SessionKey | null
      try {
        const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as unknown
        if (!Array.isArray(accounts) || typeof accounts[0] !== 'string') {
          throw new SessionError('SIGN_IN_FAILED', 'The wallet shared no account')
        }
        const shared = wanted
          ? accounts.find((a) => typeof a === 'string' && a.toLowerCase() === wanted.address.toLowerCase())
          : accounts[0]
        if (typeof shared !== 'string')
          throw new SessionError('SIGN_IN_FAILED', 'The wallet did not share the requested account')
        const address = sharedAddress(shared)
        const chainId =
          options.chainId ??
          wanted?.chainId ??
          Number.parseInt(String(await provider.request({ method: 'eth_chainId' })), 16)
        const nonceRes = await ctx.fetch(options.nonceUrl, {
          credentials: credentialsMode,
          signal: ctx.signal,
        })
        const nonce = ((await json(nonceRes, 'nonce')) as { nonce?: unknown }).nonce
        if (!nonceRes.ok || typeof nonce !== 'string')
          throw new SessionError('INVALID_RESPONSE', 'No sign-in nonce')
        key = await sessionKeyOrNull(ctx)
        const here = typeof location !== 'undefined' ? new URL(location.href) : null
        const now = ctx.now()
        const statement = params?.statement ?? options.statement
        fields = {
          domain: options.domain ?? here?.host ?? 'localhost',
          address,
          uri: key?.did ?? options.uri ?? here?.origin ?? 'http://localhost',
          chainId,
          nonce,
          issuedAt: new Date(now).toISOString(),
        }
        if (key) {
          // A capability always has a statement: verifiers (did-session's too) rebuild it from the CACAO.
          const granted = recap ? [...resources, encodeRecap(recap)] : resources
          fields.statement = [
            statement ?? DEFAULT_CAPABILITY_STATEMENT,
            ...(recap ? [recapStatement(recap)] : []),
          ].join(' ')
          fields.expirationTime = new Date(now + expiresInSecs * 1000).toISOString()
          if (granted.length) fields.resources = granted
        } else {
          if (statement !== undefined) fields.statement = statement
          if (resources.length) fields.resources = resources
        }
        message = siweMessage(fields)
        const signed = await provider.request({
          method: 'personal_sign',
          params: [hexUtf8(message), address],
        })
        if (typeof signed !== 'string' || !/^0x[0-9a-fA-F]+$/.test(signed))
          throw new SessionError('SIGN_IN_FAILED', 'The wallet answered without a hex signature')
        signature = signed
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
      const capability = key ? cacaoFromSiwe(fields, signature) : undefined
      const res = await postJson(
        ctx,
        options.verifyUrl,
        { message, signature, ...(capability ? { cacao: capability } : {}) },
        credentialsMode,
      )
      if (!res.ok)
        throw new SessionError('SIGN_IN_FAILED', `The server refused the signature (${res.status})`)
      return toCredentials(
        (await json(res, 'verify')) as TokenResponse,
        {
          address: fields.address,
          subject: `eip155:${fields.chainId}:${fields.address}`,
          ...(fields.resources?.length ? { authorizations: fields.resources } : {}),
          ...(capability ? { capability } : {}),
        },
        ctx.now(),
      )
    },

    async signOut(credentials, ctx) {
      if (!options.logoutUrl) return
      await postJson(ctx, options.logoutUrl, { refresh_token: credentials.refreshToken }, credentialsMode)
    },

    async getIdToken(credentials, idTokenOptions, ctx) {
      const ttlSeconds = idTokenOptions.ttlSeconds ?? 300
      if (!(ttlSeconds > 0)) throw new SessionError('INVALID_TOKEN', 'ttlSeconds must be a positive number')
      const key = await ctx.sessionKey()
      // The signer loads on first use, like the client's own.
      const { signWalletIdToken } = await import('./walletIdToken.js')
      return signWalletIdToken(key, credentials, {
        nowSeconds: Math.floor(ctx.now() / 1000),
        ttlSeconds,
        ...(idTokenOptions.customClaims ? { customClaims: idTokenOptions.customClaims } : {}),
      })
    },
  }

  if (options.refreshUrl) {
    const refreshUrl = options.refreshUrl
    method.refresh = async (credentials, ctx) => {
      // A wallet session lives no longer than its capability: after it, the wallet must sign again.
      const exp = credentials.capability?.p.exp
      if (exp !== undefined && !(Date.parse(exp) > ctx.now())) {
        throw new SessionError('SESSION_EXPIRED', 'The wallet capability expired')
      }
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
      return toCredentials(
        (await json(res, 'refresh')) as TokenResponse,
        {
          ...(credentials.address !== undefined ? { address: credentials.address } : {}),
          ...(credentials.subject !== undefined ? { subject: credentials.subject } : {}),
          ...(credentials.authorizations ? { authorizations: credentials.authorizations } : {}),
          ...(credentials.capability ? { capability: credentials.capability } : {}),
        },
        ctx.now(),
      )
    }
  }
  return method
}
