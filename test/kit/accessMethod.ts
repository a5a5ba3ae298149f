/**
 * A {@link scriptedMethod} that also offers device access: its grants are the token service's live
 * refresh-token families of the signed-in subject, each bound at sign-in to the session key's
 * thumbprint (as a DPoP provider records `jkt`). Counts its calls, and can be told to misbehave.
 */
import type { AccessGrantInfo, AuthMethod } from '../../src/index.js'
import { SessionError } from '../../src/index.js'
import { type ScriptedMethodOptions, scriptedMethod } from './scriptedMethod.js'
import { type TokenService, tokenService } from './tokenService.js'

/**
 * Creates the method. `access.loopCursor` makes every page answer the same cursor (a broken
 * provider); `access.calls` lists each listAccess call's cursor.
 *
 * @example
 * ```ts
 * const { method, access, service } = accessMethod({ now: () => env.now() })
 * ```
 */
export function accessMethod(options: ScriptedMethodOptions & { service?: TokenService } = {}) {
  const service =
    options.service ??
    tokenService({ now: options.now ?? (() => Date.now()), lifetimeSeconds: options.lifetimeSeconds })
  const scripted = scriptedMethod({ ...options, service })
  const access = {
    calls: [] as Array<string | undefined>,
    revoked: [] as string[],
    loopCursor: false,
    /** What the provider calls each device (by family id). */
    labels: new Map<string, string>(),
  }
  const base = scripted.method
  const subjectOf = (accessToken: string) => {
    const subject = service.subjectOf(accessToken)
    if (!subject) throw new SessionError('SESSION_EXPIRED', 'The access token is not accepted')
    return subject
  }
  const method: AuthMethod<{ fail?: boolean; subject?: string } | undefined> = {
    ...base,
    async signIn(params, ctx) {
      // Bind the family to the session key, as a DPoP provider binds its refresh token.
      const key = await ctx.sessionKey()
      scripted.state.signIns++
      if (params?.fail) throw new SessionError('SIGN_IN_FAILED', 'Wrong password')
      const issued = service.login(params?.subject ?? options.subject ?? 'user-1', { jkt: key.thumbprint })
      return { accessToken: issued.accessToken, refreshToken: issued.refreshToken }
    },
    async listAccess(credentials, page) {
      access.calls.push(page.cursor)
      const grants = service.grantsOf(subjectOf(credentials.accessToken))
      const start = page.cursor ? Number(page.cursor) : 0
      const slice = grants.slice(start, start + page.pageSize)
      const next = start + page.pageSize < grants.length ? String(start + page.pageSize) : null
      return {
        grants: slice.map(
          (g): AccessGrantInfo => ({
            credentialId: g.id,
            expiresAt: g.expiresAt,
            createdAt: g.createdAt,
            lastUsedAt: g.usedAt,
            ...(g.jkt ? { keyThumbprint: g.jkt } : {}),
            ...(access.labels.has(g.id) ? { label: access.labels.get(g.id) as string } : {}),
          }),
        ),
        nextCursor: access.loopCursor ? '10' : next,
      }
    },
    async revokeAccess(credentials, { targetCredentialId }) {
      const subject = subjectOf(credentials.accessToken)
      if (!service.grantsOf(subject).some((g) => g.id === targetCredentialId)) {
        throw new SessionError('INVALID_PARAMS', 'No such credential')
      }
      service.revokeFamily(targetCredentialId)
      access.revoked.push(targetCredentialId)
    },
  }
  return { method, access, service, state: scripted.state }
}
