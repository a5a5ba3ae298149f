/** The client's window on the outside world (clock, timers, randomness), injectable for tests. */

/**
 * Everything time-related the client uses. Defaults wrap the globals lazily, so fake timers
 * installed after the client was created still apply.
 *
 * @example
 * ```ts
 * const env: Environment = { ...defaultEnvironment(), now: () => simulatedClock.now() }
 * ```
 */
export interface Environment {
  /** Milliseconds since the epoch. */
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /** A number in [0, 1), for jitter. */
  random(): number
}

/**
 * The globals, read at call time.
 *
 * @example
 * ```ts
 * const env = defaultEnvironment()
 * env.setTimeout(() => console.log(env.now()), 1000)
 * ```
 */
export function defaultEnvironment(): Environment {
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: () => Math.random(),
  }
}
