/** Torus's token endpoints over HTTP: a POST that carries the tokens, and the sessions endpoint's answer read as credentials. */
import type { MethodContext } from '../authMethod.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { unreachable } from '../util/backendAnswers.js'
import { credentialsFromTokenSet } from './credentialsFromTokenSet.js'

interface SessionsResponse {
  access_token?: unknown
  refresh_token?: unknown
  id_token?: unknown
  expires_at?: unknown
  expires_in?: unknown
  token_type?: unknown
  session_data?: unknown
}

/**
 * What one round trip to a sessions (or refresh) endpoint brought: the new credentials, and the
 * encrypted `session_data` when the server sent some.
 *
 * @example
 * ```ts
 * const answer: SessionsAnswer = { credentials: { accessToken: 'eyJhbGciOi…' }, sessionData: undefined }
 * ```
 */
export interface SessionsAnswer {
  credentials: Credentials
  sessionData: string | undefined
}

/**
 * POSTs `{ refresh_token }` (or `{}`) with `Authorization: Bearer <access token>`, as Torus's
 * sessions and logout endpoints expect. A fetch that fails is `NETWORK`, or `ABORTED` when the
 * caller's signal aborted it; the message names the path only, never the query.
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * const res = await postTokens(ctx, 'https://auth.example.com/v1/auth/logout', { accessToken: 'eyJhbGciOi…', refreshToken: 'r1' }, 'same-origin')
 * ```
 */
export async function postTokens(
  ctx: MethodContext,
  url: string,
  credentials: Pick<Credentials, 'accessToken' | 'refreshToken'>,
  credentialsMode: RequestCredentials,
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (credentials.accessToken) headers.authorization = `Bearer ${credentials.accessToken}`
  try {
    return await ctx.fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(credentials.refreshToken ? { refresh_token: credentials.refreshToken } : {}),
      credentials: credentialsMode,
      signal: ctx.signal,
    })
  } catch (error) {
    if (ctx.signal.aborted) throw new SessionError('ABORTED', 'The request was cancelled', { cause: error })
    throw unreachable(url, error)
  }
}

/**
 * One round trip to a sessions or refresh endpoint. 400/401/403 end the session
 * (`SESSION_EXPIRED`); any other failure is `NETWORK`, so the client keeps the tokens and retries.
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * const { credentials, sessionData } = await refreshAtEndpoint(
 *   ctx,
 *   'https://auth.example.com/v1/auth/session',
 *   { accessToken: 'eyJhbGciOi…', refreshToken: 'r1' },
 *   'same-origin',
 * )
 * ```
 */
export async function refreshAtEndpoint(
  ctx: MethodContext,
  url: string,
  credentials: Pick<Credentials, 'accessToken' | 'refreshToken'>,
  credentialsMode: RequestCredentials,
): Promise<SessionsAnswer> {
  if (!credentials.accessToken && !credentials.refreshToken) {
    throw new SessionError('SESSION_EXPIRED', 'There is no token to refresh with')
  }
  const res = await postTokens(ctx, url, credentials, credentialsMode)
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    throw new SessionError('SESSION_EXPIRED', `The server rejected the refresh (${res.status})`)
  }
  if (!res.ok) throw new SessionError('NETWORK', `The sessions endpoint answered ${res.status}`)
  const body = await readSessionsResponse(res)
  return {
    credentials: credentialsFromTokenSet(
      {
        access_token: body.access_token,
        ...(typeof body.refresh_token === 'string' ? { refresh_token: body.refresh_token } : {}),
        ...(typeof body.id_token === 'string' ? { id_token: body.id_token } : {}),
        ...(typeof body.expires_at === 'number' ? { expires_at: body.expires_at } : {}),
        ...(typeof body.expires_in === 'number' ? { expires_in: body.expires_in } : {}),
        ...(typeof body.token_type === 'string' ? { token_type: body.token_type } : {}),
      },
      { now: ctx.now() },
    ),
    sessionData:
      typeof body.session_data === 'string' && body.session_data.length > 0 ? body.session_data : undefined,
  }
}

/** The answer's JSON, refused unless it carries an access token (the one field a session needs). */
async function readSessionsResponse(res: Response): Promise<SessionsResponse & { access_token: string }> {
  let body: SessionsResponse
  try {
    body = (await res.json()) as SessionsResponse
  } catch (error) {
    throw new SessionError('INVALID_RESPONSE', 'The sessions endpoint did not answer JSON', {
      cause: error,
    })
  }
  if (typeof body !== 'object' || body === null || typeof body.access_token !== 'string') {
    throw new SessionError('INVALID_RESPONSE', 'The sessions endpoint answered without an access_token')
  }
  return body as SessionsResponse & { access_token: string }
}
