/** The key store a client uses when none is given: IndexedDB in a browser, memory elsewhere or on failure. */
import { indexedDbKeyStore } from './indexedDbKeyStore.js'
import { memoryKeyStore } from './memoryKeyStore.js'
import type { KeyStore } from './SessionKey.js'

/**
 * IndexedDB (loaded on first use) where it exists, so keys survive reloads and redirects; memory
 * when IndexedDB is missing or fails (some private modes), so sessions still get a key.
 *
 * @example
 * ```ts
 * const keyStore = defaultKeyStore((error) => console.warn('session keys are in memory only', error))
 * ```
 */
export function defaultKeyStore(onFallback: (error: unknown) => void): KeyStore {
  const memory = memoryKeyStore()
  if (typeof indexedDB === 'undefined' || indexedDB === null) return memory
  let idb: Promise<KeyStore> | undefined
  const persistent = () => {
    idb ??= Promise.resolve(indexedDbKeyStore())
    return idb
  }
  return {
    async create() {
      try {
        return await (await persistent()).create()
      } catch (error) {
        onFallback(error)
        return memory.create()
      }
    },
    async get(id) {
      const inMemory = await memory.get(id)
      if (inMemory) return inMemory
      try {
        return await (await persistent()).get(id)
      } catch (error) {
        onFallback(error)
        return null
      }
    },
    async delete(id) {
      await memory.delete(id)
      await (await persistent()).delete(id).catch(onFallback)
    },
    async import(id, privateJwk) {
      try {
        const store = await persistent()
        if (store.import) return await store.import(id, privateJwk)
      } catch (error) {
        onFallback(error)
      }
      return (memory.import as NonNullable<KeyStore['import']>)(id, privateJwk)
    },
  }
}
