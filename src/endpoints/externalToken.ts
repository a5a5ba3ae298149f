/**
 * A sign-in method for access tokens managed elsewhere (a parent SDK, a native shell): Torus's
 * `accessTokenProvider`. tessera asks the app's callback whenever it would sign in or refresh.
 */
import type { AuthMethod, MethodContext } from '../authMethod.js'
import { abortAfter, untilAborted } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'

/**
 * Options of {@link externalToken}.
 *
 * @example
 * ```ts
 * declare const parentSdk: { getAccessToken(): Promise<string> } // the SDK that owns the tokens
 * const options: ExternalTokenOptions = { getAccessToken: () => parentSdk.getAccessToken() }
 * ```
 */
export interface ExternalTokenOptions {
  /** Method id (`session.method`); default `external`. */
  id?: string
  /**
   * The current access token (a JWT with `exp`), or credentials with `expiresAt` for an opaque
   * token. Resolve null when the other side has no session: at refresh that ends the session.
   * Throw `SessionError('SESSION_EXPIRED')` to end it too; anything else thrown is a transient
   * failure that the client retries with backoff while the token is valid.
   */
  getAccessToken(context: { signal: AbortSignal }): Promise<string | Credentials | null>
  /** Bound on one call of `getAccessToken`, in ms; a call that takes longer counts as a transient failure. Default 10000. */
  timeoutMs?: number
}

function toCredentials(value: string | Credentials): Credentials {
  if (typeof value === 'string') {
    if (value.length === 0)
      throw new SessionError('INVALID_TOKEN', 'The token source returned an empty token')
    return { accessToken: value }
  }
  if (typeof value !== 'object' || typeof value.accessToken !== 'string' || value.accessToken.length === 0) {
    throw new SessionError('INVALID_TOKEN', 'The token source returned no access token')
  }
  return value
}

/**
 * Access tokens from the app's callback. `signIn()` and every refresh ask it; tessera keeps the
 * token, schedules the next ask before expiry, shares it across tabs and attaches it in
 * `client.fetch`. Failures follow the refresh rules: null or `SESSION_EXPIRED` ends the session,
 * anything else is retried with backoff.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 * import { externalToken } from 'tessera-session/endpoints'
 *
 * declare const parentSdk: { getAccessToken(): Promise<string> }
 * const client = createSessionClient({
 *   appId: 'embedded',
 *   methods: [externalToken({ getAccessToken: async () => parentSdk.getAccessToken() })],
 * })
 * await client.signIn()
 * ```
 */
export function externalToken<Id extends string = 'external'>(
  options: ExternalTokenOptions & { id?: Id },
): AuthMethod<void, Id> {
  const timeoutMs = options.timeoutMs ?? 10_000

  const ask = async (ctx: MethodContext) => {
    const bounded = abortAfter(
      ctx.environment,
      timeoutMs,
      new SessionError('TIMEOUT', 'The token source took too long'),
      ctx.signal,
    )
    try {
      // The callback may ignore the signal: race it, so a hung source can never hold the client.
      return await untilAborted(options.getAccessToken({ signal: bounded.signal }), bounded.signal)
    } finally {
      bounded.dispose()
    }
  }

  return {
    id: (options.id ?? 'external') as Id,

    async signIn(_params, ctx) {
      let value: string | Credentials | null
      try {
        value = await ask(ctx)
      } catch (error) {
        if (error instanceof SessionError) throw error
        throw new SessionError('SIGN_IN_FAILED', 'The token source failed', { cause: error })
      }
      if (value === null || value === undefined) {
        throw new SessionError('SIGN_IN_FAILED', 'The token source has no token')
      }
      return toCredentials(value)
    },

    async refresh(_credentials, ctx) {
      let value: string | Credentials | null
      try {
        value = await ask(ctx)
      } catch (error) {
        if (error instanceof SessionError) throw error
        // A rejection of the app's callback is transient unless it says otherwise.
        const code = error instanceof TypeError ? 'NETWORK' : 'REFRESH_FAILED'
        throw new SessionError(code, 'The token source failed', { cause: error })
      }
      if (value === null || value === undefined) {
        throw new SessionError('SESSION_EXPIRED', 'The token source has no token any more')
      }
      return toCredentials(value)
    },
  }
}
