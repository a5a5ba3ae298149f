/**
 * Device access for OpenID Connect, which has no standard for it: a small JSON contract on an
 * access endpoint the provider (or the app's backend) serves, documented in docs/devices.md.
 *
 * - `GET <endpoint>?page_size=<n>[&cursor=<c>]` answers
 *   `{ "grants": [{ "credential_id", "expires_at", "created_at"?, "last_used_at"?, "label"?, "key_thumbprint"?, "current"? }], "next_cursor": string | null }`
 *   (times in unix seconds; `key_thumbprint` is the DPoP `jkt` the credential is bound to).
 * - `DELETE <endpoint>/<credential_id>` revokes one credential (its refresh token stops working).
 *
 * Both carry the session's access token, DPoP-bound where the session is.
 */
import type { AccessGrantInfo, AccessGrantInfoPage } from '../accessGrant.js'
import type { AuthMethod, MethodContext } from '../authMethod.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'

/** Sends one authorized request to the endpoint (the method adds the token and its DPoP proof). */
export type ResourceRequest = (
  method: 'GET' | 'DELETE',
  url: URL,
  credentials: Credentials,
  ctx: MethodContext,
) => Promise<Response>

const optionalTime = (value: unknown) => value === undefined || value === null || Number.isFinite(value)

function grantFrom(value: unknown): AccessGrantInfo {
  const g = value as Record<string, unknown> | null
  const valid =
    typeof g === 'object' &&
    g !== null &&
    typeof g.credential_id === 'string' &&
    g.credential_id.length > 0 &&
    Number.isFinite(g.expires_at) &&
    optionalTime(g.created_at) &&
    optionalTime(g.last_used_at) &&
    (g.label === undefined || g.label === null || typeof g.label === 'string') &&
    (g.key_thumbprint === undefined || g.key_thumbprint === null || typeof g.key_thumbprint === 'string') &&
    (g.current === undefined || g.current === null || typeof g.current === 'boolean')
  if (!valid)
    throw new SessionError('INVALID_RESPONSE', 'The access endpoint listed a grant that is not well formed')
  const o = g as Record<string, unknown>
  return {
    credentialId: o.credential_id as string,
    expiresAt: o.expires_at as number,
    ...(typeof o.created_at === 'number' ? { createdAt: o.created_at } : {}),
    ...(typeof o.last_used_at === 'number' ? { lastUsedAt: o.last_used_at } : {}),
    ...(typeof o.label === 'string' ? { label: o.label } : {}),
    ...(typeof o.key_thumbprint === 'string' ? { keyThumbprint: o.key_thumbprint } : {}),
    ...(typeof o.current === 'boolean' ? { isCaller: o.current } : {}),
  }
}

/** A refusal or failure of the endpoint, as a code the app can branch on. */
function failure(response: Response, what: string): SessionError {
  if (response.status === 404 && what === 'revoke')
    return new SessionError('INVALID_PARAMS', 'The access endpoint knows no such credential')
  if (response.status === 401 || response.status === 403)
    return new SessionError('SESSION_EXPIRED', `The access endpoint refused the session (${response.status})`)
  if (response.status >= 500)
    return new SessionError('NETWORK', `The access endpoint answered ${response.status}`)
  return new SessionError('INVALID_RESPONSE', `The access endpoint answered ${response.status} to ${what}`)
}

/**
 * `listAccess` and `revokeAccess` against `endpoint`, for a method that knows how to authorize a request.
 *
 * @example
 * ```ts
 * import type { AuthMethod } from 'tessera-session'
 *
 * declare const base: AuthMethod
 * declare const request: ResourceRequest
 * const capability = accessEndpointCapability(new URL('https://id.example.com/account/access'), request)
 * const method: AuthMethod = { ...base, ...capability }
 * ```
 */
export function accessEndpointCapability(
  endpoint: URL,
  request: ResourceRequest,
): Required<Pick<AuthMethod, 'listAccess' | 'revokeAccess'>> {
  return {
    async listAccess(credentials, page, ctx): Promise<AccessGrantInfoPage> {
      const url = new URL(endpoint.href)
      url.searchParams.set('page_size', String(page.pageSize))
      if (page.cursor !== undefined) url.searchParams.set('cursor', page.cursor)
      const response = await request('GET', url, credentials, ctx)
      if (!response.ok) throw failure(response, 'list')
      let body: Record<string, unknown>
      try {
        body = (await response.json()) as Record<string, unknown>
      } catch (error) {
        throw new SessionError('INVALID_RESPONSE', 'The access endpoint answered no JSON', { cause: error })
      }
      if (typeof body !== 'object' || body === null || !Array.isArray(body.grants))
        throw new SessionError('INVALID_RESPONSE', 'The access endpoint answered no grants')
      const next = body.next_cursor
      if (next !== undefined && next !== null && typeof next !== 'string')
        throw new SessionError(
          'INVALID_RESPONSE',
          'The access endpoint answered a cursor that is not a string',
        )
      return { grants: body.grants.map(grantFrom), nextCursor: typeof next === 'string' ? next : null }
    },

    async revokeAccess(credentials, { targetCredentialId }, ctx) {
      const url = new URL(endpoint.href)
      url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(targetCredentialId)}`
      const response = await request('DELETE', url, credentials, ctx)
      if (!response.ok) throw failure(response, 'revoke')
    },
  }
}
