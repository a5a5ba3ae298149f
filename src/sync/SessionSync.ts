/** The cross-tab contract: how one tab tells the others about sign-in, refresh, expiry and sign-out. */
import type { SessionRecord } from '../../machines/sessionRecord.js'
import type { SessionExpiredEvent } from '../session.js'

/**
 * A message between tabs. It carries the new session itself, because in Chromium a
 * BroadcastChannel message can arrive before the localStorage write it announces.
 *
 * @example
 * ```ts
 * sync.publish({ type: 'signedOut', from: tabId })
 * ```
 */
export type SyncMessage =
  | { type: 'session'; record: SessionRecord; from: string }
  | { type: 'signedOut'; from: string }
  | { type: 'expired'; expired: SessionExpiredEvent; from: string }

/**
 * A channel between the tabs of one app. Incoming messages are untrusted and validated by the client.
 *
 * @example
 * ```ts
 * const off = sync.subscribe((message) => console.log('another tab says', message))
 * ```
 */
export interface SessionSync {
  publish(message: SyncMessage): void
  subscribe(listener: (message: unknown) => void): () => void
  close(): void
}

/**
 * Decides who refreshes. Given the record this tab wants to refresh, it either runs `refresh`
 * (at most one tab at a time) or hands back a fresher record another tab already obtained.
 *
 * @example
 * ```ts
 * const fresh = await coordinator.refresh(record, (latest) => callTheServer(latest))
 * ```
 */
export interface RefreshCoordinator {
  /** `signal` aborts when the machine no longer wants the result (sign-out, a fresher token arrived). */
  refresh(
    record: SessionRecord,
    refresh: (latest: SessionRecord) => Promise<SessionRecord>,
    signal?: AbortSignal,
  ): Promise<SessionRecord>
  close?(): void
}

/**
 * The single-tab coordinator: the machine already keeps one refresh in flight per client.
 *
 * @example
 * ```ts
 * createSessionClient({ appId, methods, refreshCoordinator: inProcessRefreshCoordinator() })
 * ```
 */
export function inProcessRefreshCoordinator(): RefreshCoordinator {
  return { refresh: (record, refresh) => refresh(record) }
}
