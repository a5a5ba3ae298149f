/** Cross-tab messages over BroadcastChannel `tessera:<prefix>:<appId>`. */
import type { SessionSync, SyncMessage } from './SessionSync.js'

/**
 * A BroadcastChannel with many listeners, unref'd in Node: an open channel would keep the process
 * alive, so a script would never exit without destroy(). The session sync and the kit's registry
 * channel are both this.
 *
 * @example
 * ```ts
 * const channel = namedBroadcastChannel<{ type: string }>('tessera:tessera:shop/kit')
 * const off = channel.subscribe((message) => console.log(message))
 * channel.publish({ type: 'hello' })
 * off()
 * ```
 */
export function namedBroadcastChannel<M>(name: string) {
  const channel = new BroadcastChannel(name)
  ;(channel as { unref?: () => void }).unref?.()
  const listeners = new Set<(message: unknown) => void>()
  channel.onmessage = (event: MessageEvent) => {
    for (const listener of listeners) listener(event.data)
  }
  return {
    publish: (message: M) => channel.postMessage(message),
    subscribe(listener: (message: unknown) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      listeners.clear()
      channel.close()
    },
  }
}

/**
 * The default sync wherever BroadcastChannel exists (browsers, Node ≥ 18 within one process).
 *
 * @example
 * ```ts
 * const sync = broadcastChannelSync('tessera', 'shop')
 * ```
 */
export function broadcastChannelSync(prefix: string, appId: string): SessionSync {
  return namedBroadcastChannel<SyncMessage>(`tessera:${prefix}:${appId}`)
}
