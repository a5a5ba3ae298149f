/** The cross-tab contract: how one tab tells the others about sign-in, refresh, expiry and sign-out. */
import type { SessionRecord, SessionRef } from '../../machines/sessionRecord.js'
import type { Environment } from '../environment/Environment.js'
import type { SessionExpiredEvent } from '../session.js'

/**
 * A message between tabs. Each names the session it is about, so the machine can tell a message
 * about its own session from one about an older or newer one. It carries the new session itself,
 * because in Chromium a BroadcastChannel message can arrive before the storage write it announces.
 *
 * @example
 * ```ts
 * import { broadcastChannelSync } from 'tessera-session'
 * import { refOf, type SessionRecord } from '../../machines/sessionRecord.js'
 *
 * declare const record: SessionRecord
 * const message: SyncMessage = { type: 'signedOut', session: refOf(record), from: 'tab-1' }
 * broadcastChannelSync('tessera', 'shop').publish(message)
 * ```
 */
export type SyncMessage =
  | { type: 'session'; record: SessionRecord; from: string }
  | { type: 'signedOut'; session: SessionRef | null; from: string }
  | { type: 'expired'; expired: SessionExpiredEvent; session: SessionRef; from: string }

/**
 * A channel between the tabs of one app. Incoming messages are untrusted: the client parses
 * them (`machines/parseSessionData.ts`) before the machine sees them.
 *
 * @example
 * ```ts
 * import { broadcastChannelSync } from 'tessera-session'
 *
 * const sync: SessionSync = broadcastChannelSync('tessera', 'shop')
 * const off = sync.subscribe((message) => console.log('another tab says', message))
 * ```
 */
export interface SessionSync {
  publish(message: SyncMessage): void
  subscribe(listener: (message: unknown) => void): () => void
  close(): void
  /**
   * Where the tabs this channel joins also share a lock and a place for the latest refresh's
   * marker (an in-process bus, for example), the coordinator that uses them. Browsers leave it
   * out: the default coordinator uses Web Locks and IndexedDB.
   */
  refreshCoordinator?(options: { key: string; environment: Environment }): RefreshCoordinator
}

/** What a coordinator's refresh ended with. */
export type CoordinatedRefresh =
  | { kind: 'refreshed'; record: SessionRecord }
  /** Another tab refreshed this session past the given record: its result arrives by message or storage. */
  | { kind: 'superseded'; latest: SessionRef }

/**
 * Decides who refreshes. Given the record this tab wants to refresh, it either runs `refresh`
 * (at most one tab at a time, holding its lock until the request has settled) or reports that
 * another tab already refreshed past that record, whose refresh token may then be spent.
 *
 * @example
 * ```ts
 * import { inProcessRefreshCoordinator } from 'tessera-session'
 * import type { SessionRecord } from '../../machines/sessionRecord.js'
 *
 * declare const record: SessionRecord
 * declare function callTheServer(record: SessionRecord, signal: AbortSignal): Promise<SessionRecord>
 * const coordinator: RefreshCoordinator = inProcessRefreshCoordinator()
 * const outcome = await coordinator.refresh(record, callTheServer, AbortSignal.timeout(30_000))
 * ```
 */
export interface RefreshCoordinator {
  /** `signal` aborts when the machine no longer wants the result (sign-out, a fresher token arrived). */
  refresh(
    record: SessionRecord,
    refresh: (record: SessionRecord, signal: AbortSignal) => Promise<SessionRecord>,
    signal: AbortSignal,
  ): Promise<CoordinatedRefresh>
  close?(): void
}
