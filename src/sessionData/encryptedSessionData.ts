/**
 * Encrypted, server-backed session data (Torus's `StorageManager`): a JSON payload filed on a
 * server under a random session id, encrypted and authenticated in the browser. Anyone holding the
 * id (another tab, another device, a popup) reads it; the server holds only ciphertext.
 */
import { abortAfter, defaultEnvironment, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import {
  deriveSessionDataKeys,
  openSessionData,
  parseSessionDataId,
  type SessionDataKeys,
  sealSessionData,
} from './sessionDataKeys.js'

/**
 * Options of {@link encryptedSessionData}.
 *
 * @example
 * ```ts
 * import { generateSessionDataId } from './sessionDataKeys.js'
 *
 * const options: EncryptedSessionDataOptions = { url: '/session-data', sessionId: generateSessionDataId(), namespace: 'my-app' }
 * ```
 */
export interface EncryptedSessionDataOptions {
  /**
   * The store's base URL. Requests go to `<url>/<namespace>/<lookup id>`: POST `{ blob, ttlSeconds }`
   * creates, PUT `{ blob }` updates (404 when gone), GET answers `{ blob }` (404 when gone), DELETE
   * invalidates. `docs/demo/server/sessionDataStore.ts` is such a server.
   */
  url: string
  /** The secret id (from {@link generateSessionDataId}); never sent to the server. */
  sessionId: string
  /** Separates apps sharing one store (Torus's `sessionNamespace`). Letters, digits, `.`, `_`, `-`. Default `default`. */
  namespace?: string
  /** Default: the global fetch, read at call time. */
  fetch?: typeof fetch
  /** `fetch`'s credentials mode. Default `same-origin`. */
  credentials?: RequestCredentials
  /** Bound on each request, in ms. Default 10000. */
  timeoutMs?: number
  /** Timers for the bound. Default: the globals. */
  environment?: Partial<Environment>
}

/**
 * The session data of one session id.
 *
 * @example
 * ```ts
 * declare const sessionId: string // shared by whoever may read the data
 * const store: EncryptedSessionData<{ userId: string }> = encryptedSessionData({ url: '/session-data', sessionId })
 * ```
 */
export interface EncryptedSessionData<T = unknown> {
  /** The canonical session id (`0x`, 64 lowercase hex digits). */
  readonly sessionId: string
  /** Stores `data` (replacing any), kept by the server for `ttlSeconds` (default 86400, Torus's). */
  create(data: T, options?: { ttlSeconds?: number }): Promise<void>
  /** The data; `NO_SESSION` when the server has none (expired, invalidated, unknown id), `INVALID_SESSION` when it fails authentication. */
  read(): Promise<T>
  /** Replaces the data, keeping its expiry; `NO_SESSION` when the server has none. */
  update(data: T): Promise<void>
  /** Deletes the data on the server. Idempotent. */
  invalidate(): Promise<void>
}

const NAMESPACE = /^[A-Za-z0-9._-]{1,64}$/

/**
 * Encrypted session data under `sessionId` on the server at `url`. AES-256-GCM with a key derived
 * from the id by HKDF-SHA-256; the server is addressed by another value derived from the id, so it
 * sees neither the id nor the key and can neither read nor forge the data (see `sessionDataKeys.ts`
 * for why this differs from Torus). A blob that fails authentication is refused with `INVALID_SESSION`.
 *
 * @example
 * ```ts
 * import { encryptedSessionData, generateSessionDataId } from 'tessera-session/session-data'
 *
 * const sessionId = generateSessionDataId()
 * const mine = encryptedSessionData<{ userId: string }>({ url: '/session-data', sessionId, namespace: 'my-app' })
 * await mine.create({ userId: '123' })
 *
 * // Elsewhere (another tab, a popup), given the id:
 * const theirs = encryptedSessionData<{ userId: string }>({ url: '/session-data', sessionId, namespace: 'my-app' })
 * const { userId } = await theirs.read()
 * ```
 */
export function encryptedSessionData<T = unknown>(
  options: EncryptedSessionDataOptions,
): EncryptedSessionData<T> {
  const sessionId = parseSessionDataId(options.sessionId)
  const namespace = options.namespace ?? 'default'
  if (!NAMESPACE.test(namespace)) {
    throw new SessionError('INVALID_PARAMS', 'The namespace must be 1–64 letters, digits, ".", "_" or "-"')
  }
  const env: Environment = { ...defaultEnvironment(), ...options.environment }
  const timeoutMs = options.timeoutMs ?? 10_000
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  let keys: Promise<SessionDataKeys> | undefined
  const derived = () => {
    keys ??= deriveSessionDataKeys(sessionId)
    return keys
  }

  async function request(method: string, body?: unknown): Promise<Response> {
    const { lookupId } = await derived()
    const url = `${options.url.replace(/\/+$/, '')}/${namespace}/${lookupId}`
    const bounded = abortAfter(
      env,
      timeoutMs,
      new SessionError('TIMEOUT', 'The session data server took too long'),
    )
    try {
      return await fetchImpl(url, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        credentials: options.credentials ?? 'same-origin',
        signal: bounded.signal,
      })
    } catch (error) {
      if (error instanceof SessionError) throw error
      if (bounded.signal.aborted && bounded.signal.reason instanceof SessionError) throw bounded.signal.reason
      throw new SessionError('NETWORK', 'Could not reach the session data server', { cause: error })
    } finally {
      bounded.dispose()
    }
  }

  function check(res: Response, what: string): void {
    if (res.ok) return
    if (res.status === 404) {
      throw new SessionError('NO_SESSION', 'There is no session data under this id (expired or invalidated)')
    }
    if (res.status >= 500) throw new SessionError('NETWORK', `The session data server answered ${res.status}`)
    throw new SessionError('INVALID_PARAMS', `The session data server refused to ${what} (${res.status})`)
  }

  return {
    sessionId,

    async create(data, createOptions) {
      const ttlSeconds = createOptions?.ttlSeconds ?? 86_400
      if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
        throw new SessionError('INVALID_PARAMS', 'ttlSeconds must be a positive whole number')
      }
      const blob = await sealSessionData(await derived(), namespace, data)
      check(await request('POST', { blob, ttlSeconds }), 'create the session data')
    },

    async read() {
      const res = await request('GET')
      check(res, 'read the session data')
      let body: { blob?: unknown }
      try {
        body = (await res.json()) as { blob?: unknown }
      } catch (error) {
        throw new SessionError('INVALID_RESPONSE', 'The session data server did not answer JSON', {
          cause: error,
        })
      }
      if (typeof body?.blob !== 'string') {
        throw new SessionError('INVALID_RESPONSE', 'The session data server answered without a blob')
      }
      return (await openSessionData(await derived(), namespace, body.blob)) as T
    },

    async update(data) {
      const blob = await sealSessionData(await derived(), namespace, data)
      check(await request('PUT', { blob }), 'update the session data')
    },

    async invalidate() {
      const res = await request('DELETE')
      if (res.status === 404) return
      check(res, 'invalidate the session data')
    },
  }
}
