/** Bounds any promise in time, so a hung storage or lock can never freeze the client. */
import { SessionError } from '../SessionError.js'

/**
 * Resolves or rejects like `promise`, or rejects with `SessionError('TIMEOUT')` after `ms`.
 * The timer is always cleared, so nothing is left behind.
 *
 * @example
 * ```ts
 * const value = await withTimeout(idbGet(key), 3000, 'IndexedDB read timed out')
 * ```
 */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SessionError('TIMEOUT', message)), ms)
  })
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer))
}
