/** The storage contract that every backend (memory, web storage, IndexedDB, cookies) implements. */

/**
 * A key-value store for strings. Sync adapters let the client know the session on its first line;
 * async adapters start the client in `restoring`.
 *
 * @example
 * ```ts
 * // Any async key-value client, for example node-redis's:
 * declare const redisClient: {
 *   get(key: string): Promise<string | null>
 *   set(key: string, value: string): Promise<unknown>
 *   del(key: string): Promise<unknown>
 * }
 * const redis: StorageAdapter = {
 *   get: (key) => redisClient.get(key),
 *   set: (key, value) => redisClient.set(key, value).then(() => {}),
 *   remove: (key) => redisClient.del(key).then(() => {}),
 * }
 * ```
 */
export interface StorageAdapter {
  get(key: string): string | null | Promise<string | null>
  set(key: string, value: string): void | Promise<void>
  remove(key: string): void | Promise<void>
}

/**
 * One storage for everything, or one per token kind (Torus style): the refresh token in a cookie,
 * the rest in localStorage, for example.
 *
 * @example
 * ```ts
 * import { cookieStorage, webStorage } from 'tessera-session'
 *
 * const storage: StorageOption = { default: webStorage(localStorage), refreshToken: cookieStorage({ secure: true }) }
 * ```
 */
export type StorageOption =
  | StorageAdapter
  | {
      default: StorageAdapter
      /** The refresh token (by default in `default`, under a key of its own). */
      refreshToken?: StorageAdapter
      /** The provider's ID token (by default in `default`, under a key of its own). */
      idToken?: StorageAdapter
      /** The access token: given a storage, it leaves the session record for a key of its own. */
      accessToken?: StorageAdapter
      /** A server session id (Torus's `session_id`): given a storage, it gets a key of its own. */
      sessionId?: StorageAdapter
    }
