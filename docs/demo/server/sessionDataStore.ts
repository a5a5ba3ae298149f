/**
 * The demo's store for encrypted session data (`tessera-session/session-data`): opaque blobs
 * under `<namespace>/<lookup id>` with an expiry. It never sees a session id or a key, so it could
 * not read the data if it tried; `requests` keeps every body it was sent, for tests to inspect.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A stored blob. */
export interface StoredBlob {
  blob: string
  expiresAt: number
}

/** The store, mounted by the demo's page server under a path prefix. */
export interface SessionDataStore {
  /** Handles a request whose path starts with the prefix; answers 404 for anything else. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): void
  /** What is stored, by `<namespace>/<lookup id>`. Tests may edit it to play a hostile server. */
  readonly blobs: Map<string, StoredBlob>
  /** The latest requests (up to 1000) as the server saw them: method, path and raw body. */
  readonly requests: Array<{ method: string; path: string; body: string }>
}

const KEY = /^\/([A-Za-z0-9._-]{1,64})\/([0-9a-f]{64})$/
const MAX_BODY = 64 * 1024

/**
 * A store for the prefix `prefix` (for example `/session-data`).
 *
 * @example
 * ```ts
 * const store = sessionDataStore('/session-data')
 * server.on('request', (req, res) => {
 *   const path = new URL(req.url ?? '/', 'http://x').pathname
 *   if (path.startsWith('/session-data/')) store.handle(req, res, path)
 * })
 * ```
 */
export function sessionDataStore(prefix: string): SessionDataStore {
  const blobs = new Map<string, StoredBlob>()
  const requests: SessionDataStore['requests'] = []

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) return res.writeHead(status, { 'cache-control': 'no-store' }).end()
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body))
  }

  return {
    blobs,
    requests,
    handle(req, res, path) {
      let raw = ''
      let tooLarge = false
      req.on('data', (chunk: Buffer) => {
        raw += chunk.toString('utf8')
        if (raw.length > MAX_BODY) tooLarge = true
      })
      req.on('end', () => {
        const method = req.method ?? 'GET'
        requests.push({ method, path, body: raw })
        // `npm run demo` may run for days: keep the log bounded.
        if (requests.length > 1000) requests.splice(0, requests.length - 1000)
        const match = KEY.exec(path.slice(prefix.length))
        if (!match) return send(res, 404, { error: 'not_found' })
        if (tooLarge) return send(res, 413, { error: 'too_large' })
        const key = `${match[1]}/${match[2]}`
        const now = Date.now()
        const current = blobs.get(key)
        const live = current && current.expiresAt > now ? current : undefined
        if (current && !live) blobs.delete(key)
        let body: { blob?: unknown; ttlSeconds?: unknown } = {}
        try {
          body = raw ? JSON.parse(raw) : {}
        } catch {
          return send(res, 400, { error: 'invalid_json' })
        }
        if (method === 'GET')
          return live ? send(res, 200, { blob: live.blob }) : send(res, 404, { error: 'not_found' })
        if (method === 'DELETE') {
          blobs.delete(key)
          return send(res, 204)
        }
        if (typeof body.blob !== 'string' || body.blob.length === 0)
          return send(res, 400, { error: 'no_blob' })
        if (method === 'POST') {
          if (!live && blobs.size >= 10_000) return send(res, 507, { error: 'store_full' })
          const ttl = typeof body.ttlSeconds === 'number' && body.ttlSeconds > 0 ? body.ttlSeconds : 86_400
          blobs.set(key, { blob: body.blob, expiresAt: now + Math.min(ttl, 7 * 86_400) * 1000 })
          return send(res, 201, {})
        }
        if (method === 'PUT') {
          if (!live) return send(res, 404, { error: 'not_found' })
          blobs.set(key, { blob: body.blob, expiresAt: live.expiresAt })
          return send(res, 200, {})
        }
        send(res, 405, { error: 'method_not_allowed' })
      })
    },
  }
}
