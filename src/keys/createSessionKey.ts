/**
 * `createSessionKey`, the public way to make a session key. The code that makes it
 * (sessionKeyPair.ts: WebCrypto, the JWK thumbprint, did:key) loads with the rest of the work on
 * first use: an app that imports the core entry does not download it up front for this export.
 */
import { loadWork } from '../loadWork.js'
import type { SessionKey } from './SessionKey.js'

/**
 * Generates a fresh ES256 key pair. The private key can never be exported, unless `extractable`
 * is asked for: only for portable sessions outside browsers (`memoryKeyStore({ extractable: true })`).
 *
 * @example
 * ```ts
 * const key = await createSessionKey()
 * await crypto.subtle.exportKey('pkcs8', key.privateKey) // throws: the key is not extractable
 * ```
 */
export async function createSessionKey(options: { extractable?: boolean } = {}): Promise<SessionKey> {
  return (await loadWork()).generateSessionKey(options)
}
