/**
 * Keeps secrets out of inspection tools: the machine's context, events and invoked actors hold
 * live credentials, the parameters a sign-in was called with (a password) and the callback URL of
 * a redirect sign-in (its `code` and `state`).
 */

/** Object keys whose string values are secrets wherever they appear. */
const SECRET_KEYS = new Set([
  'accessToken',
  'refreshToken',
  'idToken',
  'access_token',
  'refresh_token',
  'id_token',
  // A server session id decrypts the session's data (Torus's session_id): as secret as a token.
  'sessionId',
  'session_id',
  'password',
  'codeVerifier',
  'code_verifier',
  // A pending redirect's `state`: with the callback's `code` it completes someone's sign-in.
  'state',
])

/** URL parameters (query or fragment) that carry secrets: OAuth codes, tokens, state, PKCE. */
const SECRET_URL_PARAMS = [
  'code',
  'state',
  'access_token',
  'refresh_token',
  'id_token',
  'code_verifier',
  'nonce',
  'session_state',
]

const REDACTED = '[redacted]'
const MAX_DEPTH = 24

/** A URL string with the values of its secret parameters replaced; other strings unchanged. */
function redactUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s]*[?#]/i.test(text)) return text
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return text
  }
  let changed = false
  const scrub = (params: URLSearchParams) => {
    for (const name of SECRET_URL_PARAMS) {
      if (params.has(name)) {
        params.set(name, REDACTED)
        changed = true
      }
    }
  }
  scrub(url.searchParams)
  if (url.hash.length > 1) {
    const fragment = new URLSearchParams(url.hash.slice(1))
    scrub(fragment)
    url.hash = fragment.toString()
  }
  return changed ? url.href : text
}

/**
 * `params` belongs to a sign-in when it sits beside a `methodId` (the SIGN_IN event, the sign-in
 * actor's input) or in an event of type SIGN_IN: whatever an app passes to `signIn()` (a
 * password, an OTP) is redacted whole.
 */
function isSignInParams(holder: Record<string, unknown>, key: string): boolean {
  return key === 'params' && ('methodId' in holder || holder.type === 'SIGN_IN')
}

/**
 * A JSON-safe copy of `value` with every secret redacted. Follows `toJSON` (XState snapshots and
 * actor refs define it) as `JSON.stringify` does; cycles, functions and excess depth are cut.
 */
function redact(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactUrl(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'function' || typeof value === 'symbol') return undefined
  if (value === null || typeof value !== 'object') return value
  const json = (value as { toJSON?: unknown }).toJSON
  if (typeof json === 'function') return redact(json.call(value), depth, seen)
  if (depth > MAX_DEPTH) return '[too deep]'
  if (seen.has(value)) return '[circular]'
  seen.add(value)
  try {
    if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen) ?? null)
    const holder = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(holder)) {
      if (inner === undefined) continue
      if ((SECRET_KEYS.has(key) && typeof inner === 'string') || isSignInParams(holder, key)) {
        out[key] = REDACTED
        continue
      }
      const copy = redact(inner, depth + 1, seen)
      if (copy !== undefined) out[key] = copy
    }
    return out
  } finally {
    seen.delete(value)
  }
}

const redactAll = <T>(value: T): T => redact(value, 0, new WeakSet()) as T

/**
 * `sanitizeContext`, `sanitizeEvent` and `serialize` for `@statelyai/inspect` (or any inspector):
 * before anything leaves the page, every access, refresh and ID token, every sign-in's parameters
 * (`signIn({ user, password })`) and the secret parameters of URLs (`code`, `state`, tokens in a
 * callback URL) and any server session id become `[redacted]`. `tessera-session/inspect` applies them
 * for you.
 *
 * @example
 * ```ts
 * import { createBrowserInspector } from '@statelyai/inspect'
 * import { createSessionClient } from 'tessera-session'
 *
 * const inspector = createBrowserInspector({ ...inspectionSanitizers })
 * const client = createSessionClient({ appId: 'shop', methods, inspect: inspector.inspect })
 * ```
 */
export const inspectionSanitizers = {
  sanitizeContext: redactAll,
  sanitizeEvent: redactAll,
  /** The whole inspection event, including invoked actors' input and output (which hold records too). */
  serialize: redactAll,
}
