/** A key store that keeps session keys in memory: the default outside browsers. */
import { createSessionKey } from './createSessionKey.js'
import type { KeyStore, SessionKey } from './SessionKey.js'

/**
 * Keeps keys for the life of the process. Keys are still non-extractable.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'cli', methods, keyStore: memoryKeyStore() })
 * ```
 */
export function memoryKeyStore(): KeyStore {
  const keys = new Map<string, SessionKey>()
  return {
    async create() {
      const key = await createSessionKey()
      keys.set(key.id, key)
      return key
    },
    async get(id) {
      return keys.get(id) ?? null
    },
    async delete(id) {
      keys.delete(id)
    },
  }
}
