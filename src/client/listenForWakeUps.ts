/** Calls back when a page may have slept: the tab shown again, focus, or the network back. */

/**
 * Wires `visibilitychange` (to visible), `focus` and `online` to `onWake` where a document
 * exists; returns the cleanup. Timers lie in sleeping tabs, so these re-check expiry.
 *
 * @example
 * ```ts
 * const stop = listenForWakeUps(() => client.getAccessToken())
 * ```
 */
export function listenForWakeUps(onWake: () => void): () => void {
  if (typeof globalThis.addEventListener !== 'function' || typeof document === 'undefined')
    return () => undefined
  const onVisibility = () => {
    if (document.visibilityState === 'visible') onWake()
  }
  document.addEventListener('visibilitychange', onVisibility)
  globalThis.addEventListener('focus', onWake)
  globalThis.addEventListener('online', onWake)
  return () => {
    document.removeEventListener('visibilitychange', onVisibility)
    globalThis.removeEventListener('focus', onWake)
    globalThis.removeEventListener('online', onWake)
  }
}
