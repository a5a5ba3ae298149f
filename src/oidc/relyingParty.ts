/**
 * One `oidc()` method as its provider's relying party: its checked options, the provider's
 * metadata (discovered once), a DPoP handle per key, and where a redirect's secrets wait.
 */
import * as oauth from 'oauth4webapi'
import type { MethodContext } from '../authMethod.js'
import type { SessionKey } from '../keys/SessionKey.js'
import { SessionError } from '../SessionError.js'
import { memoryStorage } from '../storage/memoryStorage.js'
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { webStorage } from '../storage/webStorage.js'
import type { OidcOptions } from './oidcMethod.js'
import { refuseReservedParams } from './reservedParams.js'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * True for a loopback host (127.0.0.1, localhost, [::1]): the only place plain http is allowed.
 *
 * @example
 * ```ts
 * isLoopback(new URL('http://127.0.0.1:3000/')) // true
 * ```
 */
export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname)
}

function defaultRedirectStorage(): StorageAdapter {
  try {
    if (typeof sessionStorage !== 'undefined') return webStorage(sessionStorage)
  } catch {
    // sessionStorage can throw in sandboxed frames.
  }
  return memoryStorage()
}

/** oauth4webapi's HTTP options for one call: the client's fetch, its abort signal. */
function httpOptions(ctx: MethodContext, insecure: boolean) {
  return {
    [oauth.customFetch]: ctx.fetch,
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
    signal: ctx.signal,
  }
}

/**
 * What every step of an `oidc()` method shares (sign-in, callback, refresh, sign-out, device access).
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * const rp: RelyingParty = relyingParty({ issuer: 'https://id.example.com', clientId: 'shop', redirectUri: 'https://shop.example.com/' })
 * const as = await rp.authorizationServer(ctx)
 * ```
 */
export interface RelyingParty {
  options: OidcOptions
  /** The method's id (`session.method`). */
  methodId: string
  issuer: URL
  /** Plain http allowed: a loopback issuer with `allowInsecureLoopback`. */
  insecure: boolean
  client: oauth.Client
  clientAuth: oauth.ClientAuth
  redirectStorage: StorageAdapter
  useDPoP: boolean
  scope: string
  redirectUri: URL
  redirectTimeoutMs: number
  http(ctx: MethodContext): ReturnType<typeof httpOptions>
  /** The provider's metadata, discovered on first use (again after a failure). */
  authorizationServer(ctx: MethodContext): Promise<oauth.AuthorizationServer>
  /** One handle per key: oauth4webapi tracks the provider's DPoP nonces on it. */
  dpopFor(key: SessionKey): oauth.DPoPHandle
  /** Where a started sign-in's verifier, nonce and binding wait for the callback carrying `state`. */
  storageKey(ctx: MethodContext, state: string): string
}

/**
 * Checks an `oidc()` method's options and builds what its steps share. Throws `INVALID_RESPONSE`
 * for a plain-http issuer off loopback, `INVALID_PARAMS` for reserved `extraParams` or a
 * redirect timeout that is not positive.
 *
 * @example
 * ```ts
 * const rp = relyingParty({ issuer: 'https://id.example.com', clientId: 'shop', redirectUri: 'https://shop.example.com/' })
 * rp.methodId // 'oidc'
 * ```
 */
export function relyingParty(options: OidcOptions): RelyingParty {
  const issuer = new URL(options.issuer)
  const insecure = options.allowInsecureLoopback === true && isLoopback(issuer)
  if (issuer.protocol !== 'https:' && !insecure) {
    throw new SessionError(
      'INVALID_RESPONSE',
      'The issuer must use https (plain http is allowed only for a loopback issuer with allowInsecureLoopback)',
    )
  }
  refuseReservedParams(options.extraParams, 'oidc({ extraParams })')
  const client: oauth.Client = { client_id: options.clientId }
  const clientAuth = oauth.None()
  const redirectStorage = options.redirectStorage ?? defaultRedirectStorage()
  const useDPoP = options.dpop !== false
  const scope = options.scope ?? 'openid email offline_access'
  const redirectUri = new URL(options.redirectUri)
  const redirectTimeoutMs = (options.redirectTimeoutSeconds ?? 600) * 1000
  if (!(redirectTimeoutMs > 0) || !Number.isFinite(redirectTimeoutMs)) {
    throw new SessionError('INVALID_PARAMS', 'redirectTimeoutSeconds must be a positive number')
  }
  let discovered: Promise<oauth.AuthorizationServer> | undefined
  const dpopHandles = new Map<string, oauth.DPoPHandle>()
  const http = (ctx: MethodContext) => httpOptions(ctx, insecure)
  const methodId = options.id ?? 'oidc'
  return {
    options,
    methodId,
    issuer,
    insecure,
    client,
    clientAuth,
    redirectStorage,
    useDPoP,
    scope,
    redirectUri,
    redirectTimeoutMs,
    http,
    authorizationServer(ctx) {
      discovered ??= (async () => {
        const response = await oauth.discoveryRequest(issuer, { ...http(ctx), algorithm: 'oidc' })
        return oauth.processDiscoveryResponse(issuer, response)
      })()
      discovered.catch(() => {
        discovered = undefined
      })
      return discovered
    },
    dpopFor(key) {
      let handle = dpopHandles.get(key.id)
      if (!handle) {
        handle = oauth.DPoP(client, { privateKey: key.privateKey, publicKey: key.publicKey })
        dpopHandles.set(key.id, handle)
      }
      return handle
    },
    // Namespaced by method: with two oidc() methods on one callback URL, a state only ever finds
    // the entry of the method that issued it (no mix-up of codes and verifiers between providers).
    // Both parts are encoded: the state comes from the callback URL, so it must not reach another
    // method's entry through a ':' in it.
    storageKey: (ctx, state) =>
      `${ctx.storageKeyPrefix}:${ctx.appId}:oidc:${encodeURIComponent(methodId)}:${encodeURIComponent(state)}`,
  }
}

/**
 * Runs a token request, answering one `use_dpop_nonce` challenge.
 *
 * @example
 * ```ts
 * declare const request: () => Promise<Response> // one request to the provider, with its DPoP proof
 * const response = await withDPoPNonceRetry(request)
 * ```
 */
export async function withDPoPNonceRetry<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt()
  } catch (error) {
    if (oauth.isDPoPNonceError(error)) return attempt()
    throw error
  }
}
