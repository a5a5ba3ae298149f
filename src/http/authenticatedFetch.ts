/** `client.fetch`: the session's authorization on allowed origins, one shared refresh and one retry on 401. */
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { abortAfter, type Environment, untilAborted } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'

/**
 * The request as the authorizer sees it: it sets headers (Authorization, DPoP).
 *
 * @example
 * ```ts
 * const request: AuthorizableRequest = { method: 'GET', url: 'https://api.example.com/me', headers: new Headers() }
 * ```
 */
export interface AuthorizableRequest {
  method: string
  url: string
  headers: Headers
  /** The resource server's latest DPoP nonce for this origin. */
  nonce?: string
}

/**
 * What `client.fetch` needs from the client.
 *
 * @example
 * ```ts
 * declare const deps: AuthenticatedFetchDeps // createSessionClient builds them from its session
 * const authenticatedFetch = createAuthenticatedFetch(deps)
 * ```
 */
export interface AuthenticatedFetchDeps {
  fetch: typeof fetch
  /** Timers for `timeoutMs`. */
  environment: Pick<Environment, 'setTimeout' | 'clearTimeout'>
  apiOrigins: readonly string[]
  pageOrigin(): string | null
  /** Refreshes first inside the skew; never returns an expired token. */
  getAccessToken(): Promise<string | null>
  /** The current record when its token can be used as is, synchronously (the hot path); else null. */
  usableRecord(): SessionRecord | null
  currentRecord(): SessionRecord | null
  /** Single-flight refresh. */
  refresh(): Promise<string>
  /** Sets the request's authorization; synchronous for plain Bearer tokens. */
  authorize(request: AuthorizableRequest, record: SessionRecord): void | Promise<void>
}

/**
 * `init` plus an overall timeout for the wait, the request and its retry, and `authenticated:
 * false` for a request that must carry no token (and is never retried), even to an API origin.
 */
export type AuthenticatedRequestInit = RequestInit & { timeoutMs?: number; authenticated?: boolean }

function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin
  } catch {
    throw new SessionError('INVALID_SESSION', `apiOrigins holds an invalid origin: ${origin}`)
  }
}

function combinedSignal(
  env: AuthenticatedFetchDeps['environment'],
  signal: AbortSignal | null | undefined,
  timeoutMs: number | undefined,
): { signal: AbortSignal | undefined; dispose(): void } {
  if (timeoutMs === undefined) return { signal: signal ?? undefined, dispose: () => undefined }
  const reason = new SessionError('TIMEOUT', `The request took longer than ${timeoutMs} ms`)
  return abortAfter(env, timeoutMs, reason, signal)
}

/** A request that carries no token: the caller's init, bounded by `timeoutMs`, sent once. */
async function sendAsIs(
  deps: AuthenticatedFetchDeps,
  input: RequestInfo | URL,
  init: RequestInit,
  timeoutMs: number | undefined,
): Promise<Response> {
  if (timeoutMs === undefined) return deps.fetch(input, init)
  const original = input instanceof Request ? input : null
  const { signal, dispose } = combinedSignal(deps.environment, init.signal ?? original?.signal, timeoutMs)
  try {
    return await deps.fetch(input, { ...init, ...(signal ? { signal } : {}) })
  } finally {
    dispose()
  }
}

/** A body that can be sent twice: anything but a stream. */
function isReplayable(body: BodyInit | null | undefined): boolean {
  return !(typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)
}

function isDPoPNonceChallenge(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate') ?? ''
  return (
    /^DPoP\b/i.test(challenge) &&
    /error="?use_dpop_nonce"?/i.test(challenge) &&
    response.headers.has('dpop-nonce')
  )
}

/**
 * Builds `client.fetch`. Tokens go only to the page's own origin and to `apiOrigins` (outside a
 * browser, only `apiOrigins`); any other request is sent untouched.
 *
 * @example
 * ```ts
 * const order = { sku: 'tea-42', quantity: 2 }
 * const res = await client.fetch('https://api.example.com/orders', {
 *   method: 'POST',
 *   headers: { 'Content-Type': 'application/json' },
 *   body: JSON.stringify(order),
 * })
 * ```
 */
export function createAuthenticatedFetch(deps: AuthenticatedFetchDeps) {
  const allowed = new Set(deps.apiOrigins.map(normalizeOrigin))
  // Resource servers hand out DPoP nonces per origin; the latest is reused for the next proof.
  const dpopNonces = new Map<string, string>()

  return async function authenticatedFetch(
    input: RequestInfo | URL,
    init: AuthenticatedRequestInit = {},
  ): Promise<Response> {
    const { timeoutMs, authenticated, ...requestInit } = init
    const pageOrigin = deps.pageOrigin()
    const original = input instanceof Request ? input : null
    const url = new URL(original ? original.url : String(input), pageOrigin ?? undefined)
    if (authenticated === false || (!allowed.has(url.origin) && url.origin !== pageOrigin)) {
      return sendAsIs(deps, input, requestInit, timeoutMs)
    }

    const { signal, dispose } = combinedSignal(
      deps.environment,
      requestInit.signal ?? original?.signal,
      timeoutMs,
    )
    try {
      const method = (requestInit.method ?? original?.method ?? 'GET').toUpperCase()
      const replayable = isReplayable(requestInit.body)
      // A Request's body can only be read once: keep a pristine copy for the retry.
      const template = original ? original.clone() : null

      /** Sends once with `record`'s authorization; remembers the server's DPoP nonce. */
      const send = (record: SessionRecord | null): Response | Promise<Response> => {
        const headers = new Headers(requestInit.headers ?? template?.headers)
        const nonce = dpopNonces.get(url.origin)
        const pending = record
          ? deps.authorize({ method, url: url.href, headers, ...(nonce ? { nonce } : {}) }, record)
          : undefined
        const go = () => {
          // `method` travels in requestInit or the Request itself: repeating it costs undici ~3%.
          const sent = deps.fetch(template ? template.clone() : url.href, {
            ...requestInit,
            headers,
            ...(signal ? { signal } : {}),
          })
          // Only DPoP resource servers hand out nonces; Bearer requests skip the extra hop. The
          // scheme is case-insensitive (RFC 9110), so is a tokenType a method or setTokens gave.
          if (record?.session.tokenType.toLowerCase() !== 'dpop') return sent
          return sent.then((response) => {
            const next = response.headers.get('dpop-nonce')
            if (next) dpopNonces.set(url.origin, next)
            return response
          })
        }
        return pending ? pending.then(go) : go()
      }
      /**
       * One answer to a resource server's `use_dpop_nonce` challenge. A stream body was consumed
       * by the first send: the caller gets the 401, and its next request carries the nonce.
       */
      const sendAnsweringNonce = async (record: SessionRecord | null) => {
        const response = await send(record)
        if (!record || !replayable || response.status !== 401 || !isDPoPNonceChallenge(response))
          return response
        await response.body?.cancel().catch(() => undefined)
        return send(record)
      }

      // Hot path: a usable token needs no wait at all.
      const usable = deps.usableRecord()
      const record =
        usable ?? ((await untilAborted(deps.getAccessToken(), signal)) ? deps.currentRecord() : null)
      const response = await sendAnsweringNonce(record)
      if (response.status !== 401 || record === null || !replayable) return response
      const first = { response, token: record.session.accessToken }

      // A 401 for a token older than the current one (another request already refreshed): retry
      // with the current token and no new refresh. Otherwise join the one shared refresh.
      let current = deps.currentRecord()
      if (!current || current.session.accessToken === first.token) {
        try {
          await untilAborted(deps.refresh(), signal)
        } catch {
          // The refresh failed (and said so on errors$): the caller gets the server's 401.
          if (signal?.aborted) throw signal.reason
          return first.response
        }
        current = deps.currentRecord()
      }
      if (!current) return first.response
      await first.response.body?.cancel().catch(() => undefined)
      return await sendAnsweringNonce(current)
    } finally {
      dispose()
    }
  }
}
