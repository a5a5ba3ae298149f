/**
 * The client's one window on time and on the page's wake-ups: clock, timers, randomness and the
 * events after which timers may have lied (a tab shown again, focus, the network back). Every
 * `now`, timeout and wait in `src/` goes through an `Environment`, so a test can drive all of it
 * (see `simulatedEnvironment()` in `tessera-session/testing`).
 */

/**
 * Everything time-related the client uses. Defaults wrap the globals lazily, so fake timers
 * installed after the client was created still apply.
 *
 * @example
 * ```ts
 * import type { Environment } from 'tessera-session'
 *
 * const base = defaultEnvironment()
 * const env: Environment = { ...base, now: () => base.now() + 5_000 } // a clock five seconds ahead
 * ```
 */
export interface Environment {
  /** Milliseconds since the epoch. */
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /** A number in [0, 1), for jitter. */
  random(): number
  /**
   * Calls `listener` whenever the page may have slept or lost the network and come back (tab
   * shown again, window focused, `online`, `pageshow` from the back-forward cache); returns the
   * unsubscribe. Like TanStack Query's `focusManager.setEventListener`, replace it to wire other
   * sources (React Native's AppState, an Electron power monitor).
   */
  onWake(listener: () => void): () => void
}

/**
 * The browser's wake-up sources: `visibilitychange` (to visible), `focus`, `online` and
 * `pageshow`. Outside a document there are none.
 *
 * @example
 * ```ts
 * const stop = browserWakeUps(() => client.getAccessToken())
 * ```
 */
export function browserWakeUps(listener: () => void): () => void {
  if (typeof globalThis.addEventListener !== 'function' || typeof document === 'undefined') {
    return () => undefined
  }
  const onVisibility = () => {
    if (document.visibilityState === 'visible') listener()
  }
  document.addEventListener('visibilitychange', onVisibility)
  for (const type of ['focus', 'online', 'pageshow']) globalThis.addEventListener(type, listener)
  return () => {
    document.removeEventListener('visibilitychange', onVisibility)
    for (const type of ['focus', 'online', 'pageshow']) globalThis.removeEventListener(type, listener)
  }
}

/**
 * The globals, read at call time, and the browser's wake-up sources. In Node its timers are
 * unref'd: a client never holds a process open by itself.
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
    setTimeout: (callback, ms) => {
      const handle = setTimeout(callback, ms)
      // In Node a pending refresh timer must not keep a script alive (the work itself does).
      ;(handle as { unref?: () => void }).unref?.()
      return handle
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: () => Math.random(),
    onWake: browserWakeUps,
  }
}

/**
 * The timers of an environment as an `AbortSignal` that aborts after `ms` with `reason`, and
 * also when `parent` aborts. Call `dispose()` when done so no timer is left behind.
 *
 * @example
 * ```ts
 * import { type MethodContext, SessionError } from 'tessera-session'
 *
 * async function ping(ctx: MethodContext) {
 *   const timeout = new SessionError('TIMEOUT', 'The server took too long')
 *   const { signal, dispose } = abortAfter(ctx.environment, 3000, timeout, ctx.signal)
 *   try {
 *     return await ctx.fetch('/ping', { signal })
 *   } finally {
 *     dispose()
 *   }
 * }
 * ```
 */
export function abortAfter(
  env: Pick<Environment, 'setTimeout' | 'clearTimeout'>,
  ms: number,
  reason: unknown,
  parent?: AbortSignal | null,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const onAbort = () => controller.abort(parent?.reason)
  if (parent?.aborted) controller.abort(parent.reason)
  else parent?.addEventListener('abort', onAbort, { once: true })
  const timer = env.setTimeout(() => controller.abort(reason), ms)
  return {
    signal: controller.signal,
    dispose: () => {
      env.clearTimeout(timer)
      parent?.removeEventListener('abort', onAbort)
    },
  }
}

/**
 * `promise`, or a rejection with the signal's reason as soon as it aborts (like fetch does), for
 * work that may ignore the signal: a hung callback can never hold its caller.
 *
 * @example
 * ```ts
 * const { signal, dispose } = abortAfter(defaultEnvironment(), 5000, new Error('too slow'))
 * try {
 *   await untilAborted(new Promise<void>(() => undefined), signal) // rejects after 5 s
 * } finally {
 *   dispose()
 * }
 * ```
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
