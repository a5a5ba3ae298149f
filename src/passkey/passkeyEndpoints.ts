/** The passkey server's HTTP contract: the options and verify endpoints, token answers, refresh and logout. */
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { pathOf, tokenAnswerCredentials, unreachable } from '../util/backendAnswers.js'

/**
 * What the verify and refresh endpoints answer with (2xx). Only `access_token` is required.
 *
 * @example
 * ```ts
 * const answer: PasskeyTokenResponse = { access_token: 'eyJhbGciOi…', expires_in: 900, refresh_token: 'r1', user: { id: 'u1', name: 'ada' } }
 * ```
 */
export interface PasskeyTokenResponse {
  access_token: string
  /** Default `Bearer`. */
  token_type?: string
  /** Unix seconds; or `expires_in`; else the access token's JWT `exp`. */
  expires_at?: number
  expires_in?: number
  /** Rotated on every refresh. Omit it when the server keeps it in an HttpOnly cookie (baas). */
  refresh_token?: string
  /** The account: `id` becomes `session.subject` (else the JWT `sub`), `name`/`displayName` go to `session.claims`. */
  user?: { id?: string; name?: string; displayName?: string }
  /** A wallet address the account owns (baas gives every passkey account one); becomes `session.address`. */
  address?: string
}

/**
 * What any endpoint answers with when it refuses (4xx). `unknown_credential` from the
 * authentication verify endpoint means the server does not know the passkey.
 *
 * @example
 * ```ts
 * const refusal: PasskeyErrorResponse = { error: 'unknown_credential' }
 * ```
 */
export interface PasskeyErrorResponse {
  error: string
  error_description?: string
}

/** How a call reaches the server. */
export interface PasskeyTransport {
  fetch: typeof fetch
  credentials: RequestCredentials
  signal?: AbortSignal | undefined
}

/**
 * POSTs JSON. A fetch that fails is `NETWORK`, or `ABORTED` when the caller's signal aborted it.
 *
 * @example
 * ```ts
 * const res = await postJson({ fetch, credentials: 'include' }, '/passkey/logout', { refresh_token: 'r1…' })
 * ```
 */
export async function postJson(transport: PasskeyTransport, url: string, body: unknown): Promise<Response> {
  try {
    return await transport.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: transport.credentials,
      ...(transport.signal ? { signal: transport.signal } : {}),
    })
  } catch (error) {
    if (transport.signal?.aborted) {
      throw new SessionError('ABORTED', `The call to ${pathOf(url)} was cancelled`, { cause: error })
    }
    throw unreachable(url, error)
  }
}

async function readJson(res: Response, url: string): Promise<Record<string, unknown>> {
  let body: unknown
  try {
    body = await res.json()
  } catch (error) {
    throw new SessionError('INVALID_RESPONSE', `${pathOf(url)} did not answer JSON`, { cause: error })
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SessionError('INVALID_RESPONSE', `${pathOf(url)} did not answer a JSON object`)
  }
  return body as Record<string, unknown>
}

/** The server's error code, kept only when it looks like one (it goes into messages). */
async function refusalCode(res: Response): Promise<string | undefined> {
  const body = (await res.json().catch(() => null)) as { error?: unknown } | null
  const code = body?.error
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined
}

/** A non-2xx answer: 5xx is `NETWORK` (try again), anything else the server's refusal. */
async function refusal(res: Response, url: string, what: string): Promise<SessionError> {
  const code = await refusalCode(res)
  const detail = `${res.status}${code ? ` ${code}` : ''}`
  if (res.status >= 500) return new SessionError('NETWORK', `${pathOf(url)} answered ${detail}`)
  if (code === 'unknown_credential') {
    return new SessionError('PASSKEY_UNKNOWN', `The server does not know this passkey (${detail})`)
  }
  return new SessionError('SIGN_IN_FAILED', `The server refused the ${what} (${detail})`)
}

/**
 * POSTs to an options endpoint and returns the WebAuthn options JSON (`challenge` required).
 *
 * @example
 * ```ts
 * import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser'
 *
 * const transport: PasskeyTransport = { fetch, credentials: 'include' }
 * const optionsJSON = await fetchCeremonyOptions<PublicKeyCredentialRequestOptionsJSON>(transport, '/passkey/authenticate/options', {})
 * ```
 */
export async function fetchCeremonyOptions<T extends { challenge: string }>(
  transport: PasskeyTransport,
  url: string,
  body: unknown,
): Promise<T> {
  const res = await postJson(transport, url, body)
  if (!res.ok) throw await refusal(res, url, 'passkey options request')
  const options = await readJson(res, url)
  if (typeof options.challenge !== 'string' || options.challenge.length === 0) {
    throw new SessionError('INVALID_RESPONSE', `${pathOf(url)} answered options without a challenge`)
  }
  return options as unknown as T
}

/**
 * Turns a token answer into {@link Credentials}.
 *
 * @example
 * ```ts
 * const credentials = toCredentials({ access_token: 'eyJhbGciOi…', expires_in: 900 }, Date.now())
 * ```
 */
export function toCredentials(body: Record<string, unknown>, now: number): Credentials {
  const tokens = tokenAnswerCredentials(body, now)
  const user = (typeof body.user === 'object' && body.user !== null ? body.user : {}) as Record<
    string,
    unknown
  >
  const claims: Record<string, unknown> = {}
  if (typeof user.name === 'string') claims.name = user.name
  if (typeof user.displayName === 'string') claims.displayName = user.displayName
  return {
    ...tokens,
    ...(typeof body.token_type === 'string' ? { tokenType: body.token_type } : {}),
    ...(typeof user.id === 'string' && user.id.length > 0 ? { subject: user.id } : {}),
    ...(typeof body.address === 'string' ? { address: body.address } : {}),
    ...(Object.keys(claims).length > 0 ? { claims } : {}),
  }
}

/**
 * POSTs a registration or authentication response to its verify endpoint and returns the session's
 * credentials. A refusal with `{ "error": "unknown_credential" }` is `PASSKEY_UNKNOWN`; any other
 * 4xx is `SIGN_IN_FAILED`; a 5xx is `NETWORK`.
 *
 * @example
 * ```ts
 * import { startAuthentication } from '@simplewebauthn/browser'
 *
 * declare const optionsJSON: Parameters<typeof startAuthentication>[0]['optionsJSON'] // from the options endpoint
 * const transport: PasskeyTransport = { fetch, credentials: 'include' }
 * const assertion = await startAuthentication({ optionsJSON })
 * const credentials = await verifyCeremony(transport, '/passkey/authenticate/verify', assertion, Date.now())
 * ```
 */
export async function verifyCeremony(
  transport: PasskeyTransport,
  url: string,
  response: unknown,
  now: number,
): Promise<Credentials> {
  const res = await postJson(transport, url, response)
  if (!res.ok) throw await refusal(res, url, 'passkey')
  return toCredentials(await readJson(res, url), now)
}

/**
 * POSTs `{ refresh_token }` to the refresh endpoint: 400/401/403 end the session
 * (`SESSION_EXPIRED`), other failures are `NETWORK` so the client retries while the token is valid.
 *
 * @example
 * ```ts
 * import type { Credentials } from 'tessera-session'
 *
 * declare const credentials: Credentials // the session's current tokens
 * const transport: PasskeyTransport = { fetch, credentials: 'include' }
 * const next = await refreshTokens(transport, '/passkey/token/refresh', credentials.refreshToken, Date.now())
 * ```
 */
export async function refreshTokens(
  transport: PasskeyTransport,
  url: string,
  refreshToken: string | undefined,
  now: number,
): Promise<Credentials> {
  const res = await postJson(transport, url, refreshToken ? { refresh_token: refreshToken } : {})
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    throw new SessionError('SESSION_EXPIRED', 'The server rejected the refresh')
  }
  if (!res.ok) throw new SessionError('NETWORK', `${pathOf(url)} answered ${res.status}`)
  return toCredentials(await readJson(res, url), now)
}
