/** A key store that keeps session keys in memory: the default outside browsers. */
import { loadWork } from '../loadWork.js'
import type { KeyStore, SessionKey } from './SessionKey.js'

/**
 * Keeps keys for the life of the process. Keys are non-extractable, unless `extractable: true`:
 * then `serialize({ includeKey: true })` can carry the private key to another process (a server,
 * a script), did-session's manual sessions. Never ask for it in a browser, where the point of the
 * key is that script cannot read it.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'cli', methods, keyStore: memoryKeyStore({ extractable: true }) })
 * ```
 */
export function memoryKeyStore(options: { extractable?: boolean } = {}): KeyStore {
  const keys = new Map<string, SessionKey>()
  const extractable = options.extractable === true
  return {
    async create() {
      // Loaded on first use: a page that only reads its session never needs key generation.
      const { generateSessionKey } = await loadWork()
      const key = await generateSessionKey({ extractable })
      keys.set(key.id, key)
      return key
    },
    async get(id) {
      return keys.get(id) ?? null
    },
    async delete(id) {
      keys.delete(id)
    },
    async import(id, privateJwk) {
      const { importSessionKey } = await loadWork()
      const key = await importSessionKey(id, privateJwk, { extractable })
      keys.set(id, key)
      return key
    },
  }
}
