/** A MethodContext for calling a sign-in method directly, without a client around it. */
import type { MethodContext } from '../../src/authMethod.js'
import { defaultEnvironment } from '../../src/environment/Environment.js'
import { createSessionKey } from '../../src/keys/createSessionKey.js'
import type { SessionKey } from '../../src/keys/SessionKey.js'

/** One token-endpoint request as the provider received it. */
export interface SeenTokenRequest {
  url: string
  params: URLSearchParams
}

/**
 * A fetch that records every POST to a `/token` endpoint (what the provider received), and
 * otherwise passes everything through unchanged.
 */
export function recordingFetch(seen: SeenTokenRequest[], inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    if (request.method === 'POST' && new URL(request.url).pathname.endsWith('/token')) {
      seen.push({ url: request.url, params: new URLSearchParams(await request.clone().text()) })
    }
    return inner(request)
  }
}

/**
 * The context a client would pass: its own key (created once, like the key a client makes before
 * the redirect), a clock that can be moved, and the given fetch.
 */
export function methodContext(
  options: { fetch?: typeof fetch; appId?: string; now?: () => number; key?: Promise<SessionKey> } = {},
): MethodContext & { key: Promise<SessionKey> } {
  const env = defaultEnvironment()
  const now = options.now ?? env.now
  const key = options.key ?? createSessionKey()
  return {
    appId: options.appId ?? 'methods',
    storageKeyPrefix: 'tessera',
    fetch: options.fetch ?? fetch,
    now,
    environment: { ...env, now },
    signal: new AbortController().signal,
    sessionKey: () => key,
    key,
  }
}
