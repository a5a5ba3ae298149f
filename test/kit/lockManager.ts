/** A Web Locks `LockManager` in memory (exclusive locks, FIFO, abortable waits), for Node tests. */

/**
 * The part of `navigator.locks` tessera uses: `request(name, { signal }, callback)`.
 *
 * @example
 * ```ts
 * const locks = memoryLockManager()
 * crossTabRefreshCoordinator({ prefix: 'tessera', appId: 'shop', locks })
 * ```
 */
export function memoryLockManager(): LockManager {
  const tails = new Map<string, Promise<void>>()
  const request = async (name: string, options: LockOptions, callback: LockGrantedCallback<unknown>) => {
    const previous = tails.get(name) ?? Promise.resolve()
    let release: () => void = () => undefined
    const mine = new Promise<void>((resolve) => {
      release = resolve
    })
    tails.set(
      name,
      previous.then(() => mine),
    )
    const signal = options.signal
    try {
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted) reject(signal.reason)
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
        void previous.then(resolve)
      })
    } catch (error) {
      void previous.then(release)
      throw error
    }
    try {
      return await callback({ name, mode: 'exclusive' } as Lock)
    } finally {
      release()
    }
  }
  return { request, query: async () => ({ held: [], pending: [] }) } as unknown as LockManager
}
