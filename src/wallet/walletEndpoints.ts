/** The wallet backend's HTTP contract: the nonce, verify, refresh and logout endpoints, and their token answer. */
import type { MethodContext } from '../authMethod.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { type TokenAnswer, tokenAnswerCredentials, unreachable } from '../util/backendAnswers.js'

/**
 * Who the session belongs to and what it may do: the wallet's side of the credentials, which the
 * server's token answer does not carry.
 *
 * @example
 * ```ts
 * const identity: WalletIdentity = { address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', subject: 'eip155:1:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' }
 * ```
 */
export type WalletIdentity = Pick<Credentials, 'address' | 'subject' | 'authorizations' | 'capability'>

/**
 * What the verify endpoint receives: the signed EIP-4361 message, and its CACAO when the session
 * has a key.
 *
 * @example
 * ```ts
 * const body: SignedMessageBody = { message: 'example.com wants you to sign in…', signature: '0x…' }
 * ```
 */
export interface SignedMessageBody {
  message: string
  signature: string
  cacao?: unknown
}

async function json(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json()
  } catch (error) {
    throw new SessionError('INVALID_RESPONSE', `${what}: the server did not answer JSON`, { cause: error })
  }
}

function toCredentials(body: TokenAnswer, identity: WalletIdentity, now: number): Credentials {
  return { ...tokenAnswerCredentials(body, now), ...identity }
}

/**
 * POSTs JSON through the client's fetch; a fetch that fails is `NETWORK` (the message names the
 * path only, never the query).
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * await postJson(ctx, '/siwe/logout', { refresh_token: 'r1' }, 'include')
 * ```
 */
export async function postJson(
  ctx: MethodContext,
  url: string,
  body: unknown,
  credentials: RequestCredentials,
): Promise<Response> {
  try {
    return await ctx.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials,
      signal: ctx.signal,
    })
  } catch (error) {
    throw unreachable(url, error)
  }
}

/**
 * GETs a fresh sign-in nonce (`{ nonce }`). An unreachable server, or one that answers 5xx or 429,
 * is `NETWORK` (try again later); any other answer without a nonce is `INVALID_RESPONSE`.
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * const nonce = await fetchNonce(ctx, '/siwe/nonce', 'include')
 * ```
 */
export async function fetchNonce(
  ctx: MethodContext,
  nonceUrl: string,
  credentials: RequestCredentials,
): Promise<string> {
  let res: Response
  try {
    res = await ctx.fetch(nonceUrl, { credentials, signal: ctx.signal })
  } catch (error) {
    if (ctx.signal.aborted) throw error
    throw unreachable(nonceUrl, error)
  }
  if (res.status >= 500 || res.status === 429)
    throw new SessionError('NETWORK', `The nonce endpoint answered ${res.status}`)
  const nonce = ((await json(res, 'nonce')) as { nonce?: unknown }).nonce
  if (!res.ok || typeof nonce !== 'string') throw new SessionError('INVALID_RESPONSE', 'No sign-in nonce')
  return nonce
}

/**
 * POSTs the signed message to the verify endpoint and returns the session's credentials; a refusal
 * is `SIGN_IN_FAILED`.
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * declare const signed: SignedMessageBody // the message and the wallet's signature
 * const credentials = await verifySignature(ctx, '/siwe/verify', signed, { address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' }, 'include')
 * ```
 */
export async function verifySignature(
  ctx: MethodContext,
  verifyUrl: string,
  body: SignedMessageBody,
  identity: WalletIdentity,
  credentials: RequestCredentials,
): Promise<Credentials> {
  const res = await postJson(ctx, verifyUrl, body, credentials)
  if (!res.ok) throw new SessionError('SIGN_IN_FAILED', `The server refused the signature (${res.status})`)
  return toCredentials((await json(res, 'verify')) as TokenAnswer, identity, ctx.now())
}

/**
 * POSTs `{ refresh_token }` to the refresh endpoint: 400/401/403 end the session
 * (`SESSION_EXPIRED`), other failures are `NETWORK` so the client retries while the token is
 * valid. The new credentials keep the session's identity (address, subject, resources, capability).
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 * import type { Credentials } from '../session.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * declare const current: Credentials // the session's current tokens
 * const next = await refreshWalletTokens(ctx, '/siwe/refresh', current, 'include')
 * ```
 */
export async function refreshWalletTokens(
  ctx: MethodContext,
  refreshUrl: string,
  current: Credentials,
  credentials: RequestCredentials,
): Promise<Credentials> {
  const res = await postJson(ctx, refreshUrl, { refresh_token: current.refreshToken }, credentials)
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    throw new SessionError('SESSION_EXPIRED', 'The server rejected the refresh')
  }
  if (!res.ok) throw new SessionError('NETWORK', `The refresh endpoint answered ${res.status}`)
  return toCredentials(
    (await json(res, 'refresh')) as TokenAnswer,
    {
      ...(current.address !== undefined ? { address: current.address } : {}),
      ...(current.subject !== undefined ? { subject: current.subject } : {}),
      ...(current.authorizations ? { authorizations: current.authorizations } : {}),
      ...(current.capability ? { capability: current.capability } : {}),
    },
    ctx.now(),
  )
}
