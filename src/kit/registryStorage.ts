/**
 * Where the kit's registry lives: one key (`<prefix>:<appId>:sessions`) in the kit's storage, read
 * and written with timeouts. Every write joins what is stored with what this tab knows (never a
 * plain overwrite), so two tabs writing at once lose nothing.
 */
import type { Environment } from '../environment/Environment.js'
import { type SessionError, toSessionError } from '../SessionError.js'
import type { StorageAdapter } from '../storage/StorageAdapter.js'
import { withTimeout } from '../util/withTimeout.js'
import { EMPTY_REGISTRY, encodeRegistry, parseRegistry, type RegistryState } from './sessionRegistry.js'

type MaybeAsync<T> = T | PromiseLike<T>

const isThenable = <T>(value: MaybeAsync<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function'

/**
 * Runs `step` on `value` now when it is there, later when it is a promise.
 *
 * @example
 * ```ts
 * andThen(localStorage.getItem('tessera:shop:sessions'), (raw) => console.log(raw))
 * ```
 */
export function andThen<T, U>(value: MaybeAsync<T>, step: (v: T) => MaybeAsync<U>): MaybeAsync<U> {
  return isThenable(value) ? Promise.resolve(value).then(step) : step(value)
}

/**
 * The registry's storage key.
 *
 * @example
 * ```ts
 * registryKey('tessera', 'shop') // 'tessera:shop:sessions'
 * ```
 */
export const registryKey = (prefix: string, appId: string) => `${prefix}:${appId}:sessions`

/**
 * Reads and writes the registry. Never throws: a failure is reported and reads as empty (the next
 * write repairs it from what the tabs know).
 *
 * @example
 * ```ts
 * import { webStorage } from 'tessera-session'
 * import { simulatedEnvironment } from 'tessera-session/testing'
 *
 * const stored = registryStorage({
 *   adapter: webStorage(localStorage),
 *   key: registryKey('tessera', 'shop'),
 *   timeoutMs: 3000,
 *   environment: simulatedEnvironment(),
 *   onError: (error) => console.warn(error.code),
 * })
 * andThen(stored.read(), (state) => console.log(Object.keys(state.entries)))
 * ```
 */
export function registryStorage(options: {
  adapter: StorageAdapter
  key: string
  timeoutMs: number
  environment: Pick<Environment, 'setTimeout' | 'clearTimeout'>
  onError(error: SessionError): void
}) {
  const bounded = <T>(work: () => MaybeAsync<T>, what: string, fallback: T): MaybeAsync<T> => {
    const failed = (error: unknown) => {
      options.onError(toSessionError(error, 'STORAGE', `Storage ${what} of the session registry failed`))
      return fallback
    }
    try {
      const result = work()
      if (!isThenable(result)) return result
      return withTimeout(result, options.timeoutMs, `Storage ${what} timed out`, options.environment).catch(
        failed,
      )
    } catch (error) {
      return failed(error)
    }
  }
  const decode = (raw: string | null): RegistryState => {
    if (raw === null) return EMPTY_REGISTRY
    try {
      return parseRegistry(JSON.parse(raw))
    } catch (error) {
      options.onError(toSessionError(error, 'INVALID_SESSION', 'The stored session registry is not readable'))
      return EMPTY_REGISTRY
    }
  }
  return {
    read: (): MaybeAsync<RegistryState> =>
      andThen(
        bounded(() => options.adapter.get(options.key), 'read', null),
        (raw) => decode(raw ?? null),
      ),
    write: (state: RegistryState): MaybeAsync<void> =>
      bounded(() => options.adapter.set(options.key, encodeRegistry(state)), 'write', undefined),
  }
}
