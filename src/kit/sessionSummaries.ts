/** What the app reads from a kit: one summary per session, and this tab's active client. */
import type { Session } from '../session.js'
import type { KitRuntime } from './kitRuntime.js'
import type { SessionSummary } from './SessionKit.js'
import type { RegistryEntry } from './sessionRegistry.js'

const seconds = (ms: number) => Math.floor(ms / 1000)

function sameSummary(a: SessionSummary, b: SessionSummary): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof SessionSummary>
  for (const key of keys) if (a[key] !== b[key]) return false
  return true
}

function summaryOf(rt: KitRuntime, entry: RegistryEntry, activeId: string | null): SessionSummary {
  const client = rt.held.get(entry.id)?.client
  const state = client?.getAuthState()
  const session: Session | null = state?.session ?? null
  return {
    id: entry.id,
    subject: entry.subject ?? session?.subject ?? '',
    method: entry.method,
    status: state?.status ?? 'restoring',
    expiresAt: session?.expiresAt ?? null,
    lastUsedAt: seconds(entry.lastUsedAt),
    createdAt: seconds(entry.signedInAt ?? entry.createdAt),
    active: entry.id === activeId,
    ...(session?.email !== undefined ? { email: session.email } : {}),
    ...(session?.name !== undefined ? { name: session.name } : {}),
    ...(session?.address !== undefined ? { address: session.address } : {}),
  }
}

/**
 * Recomputes the summaries and the active client; emits only what changed.
 *
 * @example
 * ```ts
 * import type { KitRuntime } from './kitRuntime.js'
 *
 * declare const rt: KitRuntime
 * refreshSummaries(rt)
 * rt.sessions.getValue() // one summary per signed-in session, ordered by sign-in
 * ```
 */
export function refreshSummaries(rt: KitRuntime): void {
  if (rt.lifetime.signal.aborted) return
  const { sessions, active, held } = rt
  const { activeId } = rt.registry.getSnapshot().context
  const next = Object.values(rt.entries())
    .filter((e) => e.phase === 'signedIn')
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    .map((e) => summaryOf(rt, e, activeId))
  const previous = sessions.getValue()
  if (
    next.length !== previous.length ||
    next.some((s, i) => !sameSummary(s, previous[i] as SessionSummary))
  ) {
    sessions.next(next)
  }
  const client = activeId ? (held.get(activeId)?.client ?? null) : null
  if (client !== active.getValue()) active.next(client)
}
