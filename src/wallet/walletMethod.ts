/** The wallet (web3) sign-in method: Sign-In with Ethereum through any EIP-1193 provider. */
import type { AuthMethod, IdTokenOptions, MethodContext } from '../authMethod.js'
import type { Cacao } from '../capability/cacao.js'
import { encodeRecap, type Recap, recapStatement } from '../capability/recap.js'
import type { SessionKey } from '../keys/SessionKey.js'
import { isSessionError, SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { toChecksumAddress } from './eip55.js'
import { type SiweFields, siweMessage } from './siweMessage.js'
import { fetchNonce, postJson, refreshWalletTokens, verifySignature } from './walletEndpoints.js'
import {
  connectAccount,
  personalSign,
  type RequestedAccount,
  requestedAccount,
  walletFailure,
} from './walletProvider.js'

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
export function wallet<Id extends string = 'wallet'>(
  options: WalletOptions & { id?: Id },
): AuthMethod<WalletSignInParams | undefined, Id> {
  const credentialsMode = options.credentials ?? 'include'
  const method: AuthMethod<WalletSignInParams | undefined, Id> = {
    id: (options.id ?? 'wallet') as Id,
    signIn: (params, ctx) => signInWithWallet(options, credentialsMode, params, ctx),
    async signOut(credentials, ctx) {
      if (!options.logoutUrl) return
      await postJson(ctx, options.logoutUrl, { refresh_token: credentials.refreshToken }, credentialsMode)
    },
    getIdToken: walletIdToken,
  }
  if (options.refreshUrl) {
    const refreshUrl = options.refreshUrl
    method.refresh = async (credentials, ctx) => {
      // A wallet session lives no longer than its capability: after it, the wallet must sign again.
      const exp = credentials.capability?.p.exp
      if (exp !== undefined && !(Date.parse(exp) > ctx.now())) {
        throw new SessionError('SESSION_EXPIRED', 'The wallet capability expired')
      }
      return refreshWalletTokens(ctx, refreshUrl, credentials, credentialsMode)
    }
  }
  return method
}

/** What one sign-in asks the capability for: the call's parameters win over the method's options. */
interface CapabilityAsked {
  resources: string[]
  recap: Recap | undefined
  expiresInSecs: number
  statement: string | undefined
}

/** What the wallet signed: the message's fields and text, the signature, and the key it names. */
interface SignedSiwe {
  fields: SiweFields
  message: string
  signature: string
  key: SessionKey | null
}

/** `client.signIn(params)`: the wallet signs an EIP-4361 message once, then the server verifies it. */
async function signInWithWallet(
  options: WalletOptions,
  credentialsMode: RequestCredentials,
  params: WalletSignInParams | undefined,
  ctx: MethodContext,
): Promise<Credentials> {
  const provider = providerOf(options, params?.provider)
  const wanted = params?.account ? requestedAccount(params.account) : undefined
  const asked = capabilityAsked(options, params)
  let signed: SignedSiwe
  try {
    signed = await signSiwe(options, credentialsMode, provider, wanted, asked, ctx)
  } catch (error) {
    throw walletFailure(error)
  }
  const { fields, message, signature, key } = signed
  const capability = key ? cacaoFromSiwe(fields, signature) : undefined
  return verifySignature(
    ctx,
    options.verifyUrl,
    { message, signature, ...(capability ? { cacao: capability } : {}) },
    {
      address: fields.address,
      subject: `eip155:${fields.chainId}:${fields.address}`,
      ...(fields.resources?.length ? { authorizations: fields.resources } : {}),
      ...(capability ? { capability } : {}),
    },
    credentialsMode,
  )
}

/** The provider is read when the user signs in, so a wallet that loads late is found. */
function providerOf(options: WalletOptions, override: Eip1193Provider | undefined): Eip1193Provider {
  const provider =
    override ?? (typeof options.provider === 'function' ? options.provider() : options.provider)
  if (!provider) throw new SessionError('SIGN_IN_FAILED', 'No wallet (EIP-1193 provider) is available')
  return provider
}

function capabilityAsked(options: WalletOptions, params: WalletSignInParams | undefined): CapabilityAsked {
  const resources = [...(params?.resources ?? options.resources ?? [])]
  const recap = params?.recap ?? options.recap
  const expiresInSecs = params?.expiresInSecs ?? options.expiresInSecs ?? DEFAULT_CAPABILITY_SECONDS
  if (!(expiresInSecs > 0)) throw new SessionError('INVALID_PARAMS', 'expiresInSecs must be positive')
  return { resources, recap, expiresInSecs, statement: params?.statement ?? options.statement }
}

/** The wallet's side of a sign-in: its account, a nonce, the message, and the wallet's signature. */
async function signSiwe(
  options: WalletOptions,
  credentialsMode: RequestCredentials,
  provider: Eip1193Provider,
  wanted: RequestedAccount | undefined,
  asked: CapabilityAsked,
  ctx: MethodContext,
): Promise<SignedSiwe> {
  const { address, chainId } = await connectAccount(provider, wanted, options.chainId)
  const nonce = await fetchNonce(ctx, options.nonceUrl, credentialsMode)
  const key = await sessionKeyOrNull(ctx)
  const fields = siweFieldsFor(options, { address, chainId, nonce, key }, asked, ctx.now())
  const message = siweMessage(fields)
  const signature = await personalSign(provider, message, address)
  return { fields, message, signature, key }
}

/**
 * The message's fields. With a session key the message is a capability: its URI is the key's
 * `did:key`, and it names the resources (and ReCap) it grants and when it expires.
 */
function siweFieldsFor(
  options: WalletOptions,
  signer: { address: string; chainId: number; nonce: string; key: SessionKey | null },
  asked: CapabilityAsked,
  now: number,
): SiweFields {
  const { key } = signer
  const here = typeof location !== 'undefined' ? new URL(location.href) : null
  const fields: SiweFields = {
    domain: options.domain ?? here?.host ?? 'localhost',
    address: signer.address,
    uri: key?.did ?? options.uri ?? here?.origin ?? 'http://localhost',
    chainId: signer.chainId,
    nonce: signer.nonce,
    issuedAt: new Date(now).toISOString(),
  }
  const { resources, recap, statement } = asked
  if (key) {
    // A capability always has a statement: verifiers (did-session's too) rebuild it from the CACAO.
    const granted = recap ? [...resources, encodeRecap(recap)] : resources
    fields.statement = [
      statement ?? DEFAULT_CAPABILITY_STATEMENT,
      ...(recap ? [recapStatement(recap)] : []),
    ].join(' ')
    fields.expirationTime = new Date(now + asked.expiresInSecs * 1000).toISOString()
    if (granted.length) fields.resources = granted
  } else {
    if (statement !== undefined) fields.statement = statement
    if (resources.length) fields.resources = resources
  }
  return fields
}

/** With a session key, `getIdToken()` is a JWT signed by the key that carries the capability. */
async function walletIdToken(
  credentials: Credentials,
  idTokenOptions: IdTokenOptions,
  ctx: MethodContext,
): Promise<string> {
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
}
