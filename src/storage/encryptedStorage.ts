/** Wraps any storage so it only ever holds AES-GCM ciphertext, under a non-extractable key in IndexedDB. */
import type { Environment } from '../environment/Environment.js'
import { keyDatabase } from '../keys/keyDatabase.js'
import { SessionError } from '../SessionError.js'
import type { StorageAdapter } from './StorageAdapter.js'

const PREFIX = 'tsr-aesgcm.v1.'

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

/**
 * Options of {@link encryptedStorage}.
 *
 * @example
 * ```ts
 * const options: EncryptedStorageOptions = { keyName: 'my-app' }
 * ```
 */
export interface EncryptedStorageOptions {
  /** Which AES key in the key database; one per app is typical. Default `default`. */
  keyName?: string
  dbName?: string
  timeoutMs?: number
  /** Timers for the timeouts; default the globals. */
  environment?: Pick<Environment, 'setTimeout' | 'clearTimeout'>
}

/**
 * Encrypts every value with AES-GCM (a fresh 96-bit IV per write) before `inner` sees it. The
 * AES key is generated non-extractable and kept in IndexedDB, so script can use it but never read
 * it, and a copy of localStorage alone decrypts nothing. Async (WebCrypto is): the client starts
 * in `restoring`.
 *
 * A value that does not decrypt (tampered with, or its key was lost with the site data) reads as
 * `null`, so the client starts signed out instead of failing, and the bad value is removed.
 *
 * @example
 * ```ts
 * import { createSessionClient, webStorage } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'shop', methods, storage: encryptedStorage(webStorage(localStorage)) })
 * ```
 */
export function encryptedStorage(
  inner: StorageAdapter,
  options: EncryptedStorageOptions = {},
): StorageAdapter {
  const db = keyDatabase(options.dbName ?? 'tessera-keys', options.timeoutMs ?? 3000, options.environment)
  const keyName = options.keyName ?? 'default'
  let key: Promise<CryptoKey> | null = null

  const aesKey = () => {
    key ??= (async () => {
      const existing = await db.get<CryptoKey>('storageKeys', keyName)
      if (existing) return existing
      const created = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
        'encrypt',
        'decrypt',
      ])
      // Another tab on its first use may have stored a key meanwhile: the first one stored is the
      // key of every tab, or each tab would encrypt with its own and lose the other's values.
      return db.getOrAdd('storageKeys', keyName, created)
    })()
    key.catch(() => {
      key = null
    })
    return key
  }

  return {
    async get(name) {
      const stored = await inner.get(name)
      if (stored === null) return null
      try {
        if (!stored.startsWith(PREFIX)) throw new Error('not encrypted by tessera')
        const bytes = fromBase64(stored.slice(PREFIX.length))
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: new TextEncoder().encode(name) },
          await aesKey(),
          bytes.slice(12),
        )
        return new TextDecoder().decode(plain)
      } catch (error) {
        if (error instanceof SessionError) throw error
        // Unreadable ciphertext is worthless: drop it rather than fail every future start.
        await inner.remove(name)
        return null
      }
    },
    async set(name, value) {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const cipher = new Uint8Array(
        await crypto.subtle.encrypt(
          // The key name is bound in as associated data: a value moved to another key fails to decrypt.
          { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(name) },
          await aesKey(),
          new TextEncoder().encode(value),
        ),
      )
      const out = new Uint8Array(iv.length + cipher.length)
      out.set(iv)
      out.set(cipher, iv.length)
      await inner.set(name, PREFIX + toBase64(out))
    },
    remove: (name) => inner.remove(name),
  }
}
