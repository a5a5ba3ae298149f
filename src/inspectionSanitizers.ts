/** Keeps tokens out of inspection tools: the machine's context and events hold live credentials. */

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
])

function redact(value: unknown, depth: number): unknown {
  if (depth > 12 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(key) && typeof inner === 'string' ? '[redacted]' : redact(inner, depth + 1)
  }
  return out
}

/**
 * `sanitizeContext`, `sanitizeEvent` and `serialize` for `@statelyai/inspect` (or any inspector): every
 * access, refresh and ID token, and any server session id, becomes `[redacted]` before it leaves the page.
 *
 * @example
 * ```ts
 * import { createBrowserInspector } from '@statelyai/inspect'
 * const inspector = createBrowserInspector({ ...inspectionSanitizers })
 * const client = createSessionClient({ appId: 'shop', methods, inspect: inspector.inspect })
 * ```
 */
export const inspectionSanitizers = {
  sanitizeContext: <T>(context: T): T => redact(context, 0) as T,
  sanitizeEvent: <T>(event: T): T => redact(event, 0) as T,
  /** The whole inspection event, including invoked actors' input and output (which hold records too). */
  serialize: <T>(event: T): T =>
    // XState snapshots and actor refs define toJSON, so a JSON round trip is cycle-free.
    JSON.parse(
      JSON.stringify(event, (key, value) =>
        SECRET_KEYS.has(key) && typeof value === 'string' ? '[redacted]' : value,
      ),
    ) as T,
}
