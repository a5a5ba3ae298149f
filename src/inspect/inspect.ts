/** Attaches Stately's inspector (`@statelyai/inspect`) to a session client, with every secret redacted. */
import {
  createBrowserInspector,
  createInspector,
  createWebSocketInspector,
  type StatelyInspectionEvent,
} from '@statelyai/inspect'
import type { InspectionEvent, Observer } from 'xstate'
import { inspectionSanitizers } from '../inspectionSanitizers.js'
import { SessionError } from '../SessionError.js'

/**
 * Where {@link inspect} sends the session's inspection events.
 *
 * @example
 * ```ts
 * const options: InspectOptions = { url: 'ws://127.0.0.1:8080' }
 * ```
 */
export interface InspectOptions {
  /**
   * `ws://…` or `wss://…`: a WebSocket receiver (`createWebSocketReceiver` from
   * `@statelyai/inspect`), for Node, scripts and tests. Any other URL: the inspector page a browser
   * opens (default `https://stately.ai/inspect`).
   */
  url?: string
  /** Receives every event, already redacted, instead of a window or a socket. */
  send?: (event: StatelyInspectionEvent) => void
  /** In a browser, show the inspector in this iframe rather than in a new window. */
  iframe?: HTMLIFrameElement
  /** Keeps only the events for which it returns true. */
  filter?: (event: StatelyInspectionEvent) => boolean
}

/**
 * What {@link inspect} returns: the observer to pass as `createSessionClient({ inspect })`, and
 * `stop()` to close the window's connection or the socket.
 *
 * @example
 * ```ts
 * const inspector: SessionInspector = inspect({ url: 'ws://127.0.0.1:8080' })
 * inspector.stop()
 * ```
 */
export interface SessionInspector extends Observer<InspectionEvent> {
  next(event: InspectionEvent): void
  stop(): void
}

/**
 * An inspection observer for `createSessionClient({ inspect })` that streams every state, event
 * and transition of the session to Stately's inspector. Tokens, sign-in parameters and the secret
 * parameters of callback URLs (`code`, `state`) are redacted before anything leaves the page
 * ({@link inspectionSanitizers}).
 *
 * In a browser it opens the inspector in a new window (or `iframe`); with a `ws://` URL it sends
 * to a WebSocket receiver; with `send` it hands each event to your function. Needs the optional
 * peer dependency `@statelyai/inspect`. Meant for development: leave it out of production builds.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'shop', methods, inspect: inspect() })
 * ```
 */
export function inspect(options: InspectOptions = {}): SessionInspector {
  const sanitizers = { ...inspectionSanitizers, ...(options.filter ? { filter: options.filter } : {}) }
  const inspector = options.send
    ? createInspector({ send: options.send }, sanitizers)
    : options.url && /^wss?:\/\//i.test(options.url)
      ? createWebSocketInspector({ ...sanitizers, url: options.url })
      : typeof window !== 'undefined'
        ? createBrowserInspector({
            ...sanitizers,
            ...(options.url ? { url: options.url } : {}),
            ...(options.iframe ? { iframe: options.iframe } : {}),
          })
        : null
  if (!inspector) {
    throw new SessionError(
      'NOT_SUPPORTED',
      'inspect() needs a browser window, a WebSocket url (ws://…) or a send function',
    )
  }
  return {
    next: (event) => inspector.inspect.next?.(event),
    stop: () => inspector.stop(),
  }
}
