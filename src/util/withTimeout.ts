/** Bounds any promise in time, so a hung storage or lock can never freeze the client. */
import type { Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'

/**
 * Resolves or rejects like `promise`, or rejects with `SessionError('TIMEOUT')` after `ms` on
 * `env`'s timers. The timer is always cleared, so nothing is left behind. It does not cancel the
 * work: pass an `AbortSignal` to the work itself when the work must stop.
 *
 * @example
 * ```ts
 * import type { MethodContext } from 'tessera-session'
 *
 * async function profile(ctx: MethodContext) {
 *   const res = await withTimeout(ctx.fetch('/me'), 3000, 'The profile took too long', ctx.environment)
 *   return res.json()
 * }
 * ```
 */
export function withTimeout<T>(
  promise: PromiseLike<T>,
  ms: number,
  message: string,
  env: Pick<Environment, 'setTimeout' | 'clearTimeout'>,
): Promise<T> {
  let timer: unknown
  const timeout = new Promise<never>((_, reject) => {
    timer = env.setTimeout(() => reject(new SessionError('TIMEOUT', message)), ms)
  })
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => env.clearTimeout(timer))
}
