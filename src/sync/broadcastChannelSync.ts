/** Cross-tab messages over BroadcastChannel `tessera:<prefix>:<appId>`. */
import type { SessionSync, SyncMessage } from './SessionSync.js'

/**
 * The default sync wherever BroadcastChannel exists (browsers, Node ≥ 18 within one process).
 *
 * @example
 * ```ts
 * const sync = broadcastChannelSync('tessera', 'shop')
 * ```
 */
export function broadcastChannelSync(prefix: string, appId: string): SessionSync {
  const channel = new BroadcastChannel(`tessera:${prefix}:${appId}`)
  // In Node an open channel keeps the process alive: a script would never exit without destroy().
  ;(channel as { unref?: () => void }).unref?.()
  const listeners = new Set<(message: unknown) => void>()
  channel.onmessage = (event: MessageEvent) => {
    for (const listener of listeners) listener(event.data)
  }
  return {
    publish: (message: SyncMessage) => channel.postMessage(message),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      listeners.clear()
      channel.close()
    },
  }
}
