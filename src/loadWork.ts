/** The one loader of the lazily loaded work (lazyWork.ts), shared by every path that needs it. */

let loading: Promise<typeof import('./lazyWork.js')> | undefined

/**
 * The work, loaded once: every later call gets the same promise, with no new round trip. A
 * failed load (offline, a deploy replaced the chunk) is not cached, so the next call tries again.
 *
 * @example
 * ```ts
 * const { serializeRecord } = await loadWork()
 * ```
 */
export function loadWork(): Promise<typeof import('./lazyWork.js')> {
  loading ??= import('./lazyWork.js').catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}
