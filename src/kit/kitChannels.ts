/**
 * The kit's channels between tabs: one for the registry, one per session. Each session must hear
 * only its own messages (a message about ada's session reaching bob's client would be taken for a
 * newer sign-in), so a shared bus is split into named channels.
 */
import { namedBroadcastChannel } from '../sync/broadcastChannelSync.js'
import type { SessionSync, SyncMessage } from '../sync/SessionSync.js'

/**
 * A channel for the kit's own messages.
 *
 * @example
 * ```ts
 * declare const channel: KitChannel
 * const off = channel.subscribe((message) => console.log(message))
 * channel.publish({ type: 'registry', state: { entries: {}, removed: {} }, from: 'tab-1' })
 * off()
 * ```
 */
export interface KitChannel {
  publish(message: unknown): void
  subscribe(listener: (message: unknown) => void): () => void
  close(): void
}

interface Envelope {
  type: 'tessera-kit'
  channel: string
  message: unknown
}

const isEnvelope = (value: unknown, channel: string): value is Envelope =>
  typeof value === 'object' &&
  value !== null &&
  (value as Envelope).type === 'tessera-kit' &&
  (value as Envelope).channel === channel

/** A named view of a shared bus: what it publishes is wrapped, what it hears is only its own. */
function view(bus: SessionSync, channel: string): SessionSync & KitChannel {
  const offs = new Set<() => void>()
  const coordinator = bus.refreshCoordinator?.bind(bus)
  return {
    publish: (message: unknown) =>
      bus.publish({ type: 'tessera-kit', channel, message } satisfies Envelope as unknown as SyncMessage),
    subscribe(listener) {
      const off = bus.subscribe((data) => {
        if (isEnvelope(data, channel)) listener(data.message)
      })
      offs.add(off)
      return () => {
        offs.delete(off)
        off()
      }
    },
    close() {
      for (const off of offs) off()
      offs.clear()
    },
    ...(coordinator ? { refreshCoordinator: coordinator } : {}),
  }
}

/**
 * The channels for a kit's `sync` option: `false`, none; a bus (for example `memorySync()`), named
 * views of it; the default, a BroadcastChannel for the registry while each session's client opens
 * its own (`tessera:<prefix>:<appId>/<id>`).
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 * import { memorySync } from 'tessera-session/testing'
 *
 * const channels = kitChannels(memorySync(), 'tessera', 'shop')
 * createSessionClient({ appId: 'shop/3f2a9c81d0b4e6a7', methods, sync: channels.forSession('3f2a9c81d0b4e6a7') })
 * ```
 */
export function kitChannels(option: boolean | SessionSync | undefined, prefix: string, appId: string) {
  if (option === false) return { registry: null, forSession: (): false => false, close: () => undefined }
  if (option && option !== true) {
    const registry = view(option, 'registry')
    return {
      registry: registry as KitChannel,
      forSession: (id: string): SessionSync => view(option, `session:${id}`),
      close: () => registry.close(),
    }
  }
  const registry =
    typeof BroadcastChannel === 'function'
      ? namedBroadcastChannel<unknown>(`tessera:${prefix}:${appId}:sessions`)
      : null
  return {
    registry,
    // The client's default: a BroadcastChannel of its own name, where one exists.
    forSession: (): undefined => undefined,
    close: () => registry?.close(),
  }
}
