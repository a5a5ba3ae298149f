/** Keeps session key pairs as CryptoKey objects in IndexedDB: the browser default. */
import type { Environment } from '../environment/Environment.js'
import { loadWork } from '../loadWork.js'
import type { KeyDatabase } from './keyDatabase.js'
import type { KeyStore } from './SessionKey.js'

/**
 * Session keys that survive reloads and redirects, and are shared by the tabs of an origin. The
 * private key is non-extractable: IndexedDB stores the CryptoKey object, never its bytes.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'shop', methods, keyStore: indexedDbKeyStore() })
 * ```
 */
export function indexedDbKeyStore(
  options: {
    dbName?: string
    timeoutMs?: number
    environment?: Pick<Environment, 'setTimeout' | 'clearTimeout'>
  } = {},
): KeyStore {
  // Loaded on first use: a page that never touches a key never loads the database code.
  let opened: Promise<KeyDatabase> | undefined
  const database = () => {
    opened ??= loadWork().then((m) =>
      m.keyDatabase(options.dbName ?? 'tessera-keys', options.timeoutMs ?? 3000, options.environment),
    )
    return opened
  }
  return {
    async create() {
      const key = await (await loadWork()).generateSessionKey()
      await (await database()).put('sessionKeys', key.id, {
        privateKey: key.privateKey,
        publicKey: key.publicKey,
      })
      return key
    },
    async get(id) {
      const pair = await (await database()).get<CryptoKeyPair>('sessionKeys', id)
      return pair ? (await loadWork()).describeSessionKey(id, pair) : null
    },
    delete: async (id) => (await database()).delete('sessionKeys', id),
    async import(id, privateJwk) {
      // Whatever it was elsewhere, here the key becomes non-extractable like every browser key.
      const { importSessionKey } = await loadWork()
      const key = await importSessionKey(id, privateJwk)
      await (await database()).put('sessionKeys', id, {
        privateKey: key.privateKey,
        publicKey: key.publicKey,
      })
      return key
    },
  }
}
