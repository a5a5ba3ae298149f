/** The session credential: a non-extractable P-256 key pair and the identifiers derived from it. */

/**
 * A session's signing key. The private key is a non-extractable WebCrypto key: script can use it
 * to sign but can never read its bytes.
 *
 * @example
 * ```ts
 * import { memoryKeyStore } from 'tessera-session'
 *
 * const key: SessionKey = await memoryKeyStore().create()
 * const data = new TextEncoder().encode('hello')
 * const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, data)
 * ```
 */
export interface SessionKey {
  /** Stable id under which the key store keeps this pair. */
  id: string
  privateKey: CryptoKey
  publicKey: CryptoKey
  /** The public key as a JWK (`kty`, `crv`, `x`, `y`). */
  publicJwk: JsonWebKey
  /** RFC 7638 thumbprint of the public JWK, base64url. The DPoP `jkt`. */
  thumbprint: string
  /** `did:key:z…` identifier of the public key (multicodec p256-pub, compressed). */
  did: string
}

/**
 * Where session keys live. The browser default keeps `CryptoKey` objects in IndexedDB; elsewhere
 * they live in memory.
 *
 * @example
 * ```ts
 * import { indexedDbKeyStore } from 'tessera-session'
 *
 * const keyStore: KeyStore = indexedDbKeyStore()
 * const key = await keyStore.create()
 * const again = await keyStore.get(key.id) // the same pair, after a reload too
 * await keyStore.delete(key.id)
 * ```
 */
export interface KeyStore {
  create(): Promise<SessionKey>
  get(id: string): Promise<SessionKey | null>
  delete(id: string): Promise<void>
  /**
   * Keeps a key that arrives as a private JWK (a portable session's `restore()`) under `id`.
   * Optional: a store without it cannot restore a session that carries its key.
   */
  import?(id: string, privateJwk: JsonWebKey): Promise<SessionKey>
}
