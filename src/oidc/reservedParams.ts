/** The authorization request parameters `extraParams` may not set, and their refusal. */
import { SessionError } from '../SessionError.js'

/**
 * What `extraParams` may not set: every parameter the request builder sets (overriding `state`,
 * `nonce` or PKCE would defeat them, `code_challenge_method=plain` downgrades PKCE), plus those
 * that replace or re-route the request as a whole (a request object or `request_uri` carries its
 * own redirect_uri, state and challenge; another `response_mode` sends the code where this method
 * does not read it). `scope` has its own option, which keeps `openid` in the caller's sight.
 */
const RESERVED_PARAMS: ReadonlySet<string> = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'dpop_jkt',
  'request',
  'request_uri',
  'response_mode',
])

/**
 * Refuses reserved names in any letter case; the message names the parameter, never its value.
 *
 * @example
 * ```ts
 * refuseReservedParams({ prompt: 'login' }, 'signIn({ extraParams })') // fine
 * refuseReservedParams({ State: 'x' }, 'signIn({ extraParams })') // throws INVALID_PARAMS
 * ```
 */
export function refuseReservedParams(params: Record<string, string> | undefined, where: string): void {
  for (const name of Object.keys(params ?? {})) {
    if (RESERVED_PARAMS.has(name.toLowerCase())) {
      throw new SessionError(
        'INVALID_PARAMS',
        `${where} may not set "${name}": the OpenID Connect method sets it itself`,
      )
    }
  }
}
