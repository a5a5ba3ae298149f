/**
 * The kit's registry of sessions: an `@xstate/store` store whose state merges like a set that only
 * grows (entries join, tombstones win), so any two tabs that have heard each other hold the same
 * registry, whatever order their messages and storage writes came in.
 */
import { createStore } from '@xstate/store'
import { SessionError } from '../SessionError.js'

/**
 * One session of the kit, as the registry remembers it (what storage and other tabs hear). Times
 * are ms since the epoch. The tokens are not here: they live in the session's own namespace.
 *
 * @example
 * ```ts
 * const entry: RegistryEntry = { id: '3f2a9c81d0b4e6a7', method: 'oidc', phase: 'signedIn', subject: 'ada', createdAt: 1_767_225_600_000, lastUsedAt: 1_767_225_600_000 }
 * ```
 */
export interface RegistryEntry {
  /** Names the session's storage namespace, channel and refresh lock (`<appId>/<id>`). */
  id: string
  method: string
  /** `signingIn` until the method's sign-in completed (a redirect leaves the page meanwhile). */
  phase: 'signingIn' | 'signedIn'
  subject?: string
  createdAt: number
  signedInAt?: number
  lastUsedAt: number
}

/**
 * What storage keeps and tabs send each other: the entries, and the ids removed (tombstones, with
 * when), so a removal is never undone by a tab that had not heard of it.
 *
 * @example
 * ```ts
 * const state: RegistryState = { entries: {}, removed: { '3f2a9c81d0b4e6a7': 1_767_225_600_000 } }
 * ```
 */
export interface RegistryState {
  entries: Record<string, RegistryEntry>
  removed: Record<string, number>
}

/** The version of the stored form. */
export const REGISTRY_VERSION = 1

/** A tombstone older than this is dropped (and its namespace's sign-out marker with it). */
export const TOMBSTONE_TTL_MS = 24 * 3600 * 1000
/** At most this many tombstones are kept, the newest. */
export const MAX_TOMBSTONES = 200

export const EMPTY_REGISTRY: RegistryState = Object.freeze({ entries: {}, removed: {} }) as RegistryState

const max = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b)

/** Two tabs' views of one entry, joined: a sign-in completes once, use times only grow. */
function joinEntry(a: RegistryEntry, b: RegistryEntry): RegistryEntry {
  const subject = a.subject ?? b.subject
  const signedInAt = max(a.signedInAt, b.signedInAt)
  return {
    id: a.id,
    method: a.method,
    phase: a.phase === 'signedIn' || b.phase === 'signedIn' ? 'signedIn' : 'signingIn',
    ...(subject !== undefined ? { subject } : {}),
    createdAt: Math.min(a.createdAt, b.createdAt),
    ...(signedInAt !== undefined ? { signedInAt } : {}),
    lastUsedAt: Math.max(a.lastUsedAt, b.lastUsedAt),
  }
}

/**
 * The join of two registries: every entry either knows, less every id either removed.
 * Commutative, associative and idempotent, so tabs converge.
 *
 * @example
 * ```ts
 * declare const mine: RegistryState
 * declare const theirs: RegistryState
 * const both = mergeRegistries(mine, theirs)
 * ```
 */
export function mergeRegistries(a: RegistryState, b: RegistryState): RegistryState {
  const removed: Record<string, number> = { ...a.removed }
  for (const [id, at] of Object.entries(b.removed)) removed[id] = Math.max(removed[id] ?? at, at)
  const entries: Record<string, RegistryEntry> = {}
  for (const source of [a.entries, b.entries]) {
    for (const [id, entry] of Object.entries(source)) {
      if (id in removed) continue
      const known = entries[id]
      entries[id] = known ? joinEntry(known, entry) : entry
    }
  }
  return { entries, removed }
}

/**
 * The state as one canonical string (keys sorted): what storage holds, and how two states are compared.
 *
 * @example
 * ```ts
 * declare const merged: RegistryState
 * declare const stored: RegistryState
 * if (encodeRegistry(merged) !== encodeRegistry(stored)) localStorage.setItem('tessera:shop:sessions', encodeRegistry(merged))
 * ```
 */
export function encodeRegistry(state: RegistryState): string {
  const sorted = <T>(record: Record<string, T>) =>
    Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, record[k] as T]),
    )
  const entries = Object.fromEntries(
    Object.keys(state.entries)
      .sort()
      .map((id) => {
        const e = state.entries[id] as RegistryEntry
        return [
          id,
          {
            id: e.id,
            method: e.method,
            phase: e.phase,
            ...(e.subject !== undefined ? { subject: e.subject } : {}),
            createdAt: e.createdAt,
            ...(e.signedInAt !== undefined ? { signedInAt: e.signedInAt } : {}),
            lastUsedAt: e.lastUsedAt,
          },
        ]
      }),
  )
  return JSON.stringify({ v: REGISTRY_VERSION, entries, removed: sorted(state.removed) })
}

function invalid(what: string): never {
  throw new SessionError('INVALID_SESSION', `The session registry is not readable: ${what}`)
}

const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0
const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 128

/**
 * Checks and copies a registry from storage or another tab (untrusted); throws `INVALID_SESSION`.
 *
 * @example
 * ```ts
 * const state = parseRegistry(JSON.parse(localStorage.getItem('tessera:shop:sessions') ?? '{}'))
 * ```
 */
export function parseRegistry(value: unknown): RegistryState {
  if (typeof value !== 'object' || value === null) invalid('not an object')
  const o = value as Record<string, unknown>
  if (o.v !== REGISTRY_VERSION) invalid(`unknown version ${JSON.stringify(o.v)}`)
  if (typeof o.entries !== 'object' || o.entries === null) invalid('no entries')
  if (typeof o.removed !== 'object' || o.removed === null) invalid('no removed')
  const entries: Record<string, RegistryEntry> = {}
  for (const [id, raw] of Object.entries(o.entries as Record<string, unknown>)) {
    const e = raw as Record<string, unknown> | null
    if (typeof e !== 'object' || e === null || e.id !== id || !isId(id)) invalid('an entry without its id')
    if (!isId(e.method)) invalid('an entry without a method')
    if (e.phase !== 'signingIn' && e.phase !== 'signedIn') invalid('an entry in an unknown phase')
    if (e.subject !== undefined && typeof e.subject !== 'string') invalid('a subject that is not a string')
    if (e.phase === 'signedIn' && typeof e.subject !== 'string')
      invalid('a signed-in entry without a subject')
    if (!isTime(e.createdAt) || !isTime(e.lastUsedAt)) invalid('an entry without its times')
    if (e.signedInAt !== undefined && !isTime(e.signedInAt)) invalid('a bad signedInAt')
    entries[id] = {
      id,
      method: e.method,
      phase: e.phase,
      ...(typeof e.subject === 'string' ? { subject: e.subject } : {}),
      createdAt: e.createdAt,
      ...(isTime(e.signedInAt) ? { signedInAt: e.signedInAt } : {}),
      lastUsedAt: e.lastUsedAt,
    }
  }
  const removed: Record<string, number> = {}
  for (const [id, at] of Object.entries(o.removed as Record<string, unknown>)) {
    if (!isId(id) || !isTime(at)) invalid('a bad tombstone')
    removed[id] = at
    delete entries[id]
  }
  return { entries, removed }
}

/**
 * The state with tombstones past their time (or beyond the newest {@link MAX_TOMBSTONES}) dropped,
 * and the ids dropped.
 *
 * @example
 * ```ts
 * declare const registry: RegistryState
 * const { state, dropped } = pruneTombstones(registry, Date.parse('2026-12-01T10:00:00Z'))
 * ```
 */
export function pruneTombstones(
  state: RegistryState,
  now: number,
): { state: RegistryState; dropped: string[] } {
  const newestFirst = Object.entries(state.removed).sort(([, a], [, b]) => b - a)
  const removed: Record<string, number> = {}
  const dropped: string[] = []
  newestFirst.forEach(([id, at], i) => {
    if (i < MAX_TOMBSTONES && now - at < TOMBSTONE_TTL_MS) removed[id] = at
    else dropped.push(id)
  })
  return dropped.length === 0 ? { state, dropped } : { state: { entries: state.entries, removed }, dropped }
}

/**
 * The session a tab shows when it has not chosen one (or its choice is gone): the signed-in
 * session used most recently.
 *
 * @example
 * ```ts
 * declare const registry: RegistryState
 * mostRecentlyUsed(registry)?.id
 * ```
 */
export function mostRecentlyUsed(state: RegistryState): RegistryEntry | null {
  let best: RegistryEntry | null = null
  for (const entry of Object.values(state.entries)) {
    if (entry.phase !== 'signedIn') continue
    if (
      !best ||
      entry.lastUsedAt > best.lastUsedAt ||
      (entry.lastUsedAt === best.lastUsedAt && entry.id > best.id)
    )
      best = entry
  }
  return best
}

/** The registry store's context: the shared state, and this tab's own choice of session. */
export interface RegistryContext extends RegistryState {
  /** The session this tab uses; falls back to the most recently used when it goes. */
  activeId: string | null
}

function withActive(state: RegistryState, activeId: string | null): RegistryContext {
  const keep = activeId !== null && state.entries[activeId]?.phase === 'signedIn'
  return {
    entries: state.entries,
    removed: state.removed,
    activeId: keep ? activeId : (mostRecentlyUsed(state)?.id ?? null),
  }
}

/**
 * Creates the registry store. Every transition is pure; the kit persists and broadcasts.
 *
 * @example
 * ```ts
 * const registry = createRegistryStore()
 * registry.trigger.started({ entry: { id: 'a1', method: 'oidc', phase: 'signingIn', createdAt: 0, lastUsedAt: 0 } })
 * registry.subscribe((snapshot) => render(snapshot.context))
 * ```
 */
export function createRegistryStore() {
  return createStore({
    context: { entries: {}, removed: {}, activeId: null } as RegistryContext,
    on: {
      /** Another tab's registry, or storage's: joined with this one. */
      merged: (context, event: { state: RegistryState }) =>
        withActive(mergeRegistries(context, event.state), context.activeId),
      /** A sign-in began here: its namespace is known before the method runs (or leaves the page). */
      started: (context, event: { entry: RegistryEntry }) =>
        withActive(
          mergeRegistries(context, { entries: { [event.entry.id]: event.entry }, removed: {} }),
          context.activeId,
        ),
      /** The method's sign-in completed: the session now has its subject. */
      completed: (context, event: { id: string; subject: string; now: number }) => {
        const entry = context.entries[event.id]
        if (!entry) return context
        const done: RegistryEntry = {
          ...entry,
          phase: 'signedIn',
          subject: event.subject,
          signedInAt: event.now,
          lastUsedAt: Math.max(entry.lastUsedAt, event.now),
        }
        return withActive(
          { entries: { ...context.entries, [event.id]: done }, removed: context.removed },
          context.activeId,
        )
      },
      /** This tab switches to a session (and it counts as used). */
      used: (context, event: { id: string; now: number }) => {
        const entry = context.entries[event.id]
        if (entry?.phase !== 'signedIn') return context
        // Strictly the most recent, even within one millisecond: "most recently used" is then exact.
        const latest = Math.max(...Object.values(context.entries).map((e) => e.lastUsedAt + 1))
        const used = { ...entry, lastUsedAt: Math.max(entry.lastUsedAt, event.now, latest) }
        return withActive(
          { entries: { ...context.entries, [event.id]: used }, removed: context.removed },
          event.id,
        )
      },
      /** A session left the kit (signed out, failed to sign in, or its data was gone). */
      removed: (context, event: { id: string; now: number }) => {
        if (context.removed[event.id] !== undefined && !context.entries[event.id]) return context
        const { [event.id]: _gone, ...entries } = context.entries
        const removed = {
          ...context.removed,
          [event.id]: Math.max(context.removed[event.id] ?? 0, event.now),
        }
        return withActive({ entries, removed }, context.activeId)
      },
      /** Old tombstones dropped (see {@link pruneTombstones}). */
      pruned: (context, event: { removed: Record<string, number> }) => ({
        ...context,
        removed: event.removed,
      }),
    },
  })
}

/** The registry store's type. */
export type RegistryStore = ReturnType<typeof createRegistryStore>

/**
 * The shared part of the store's context (no `activeId`).
 *
 * @example
 * ```ts
 * const registry = createRegistryStore()
 * localStorage.setItem('tessera:shop:sessions', encodeRegistry(sharedState(registry.getSnapshot().context)))
 * ```
 */
export function sharedState(context: RegistryState): RegistryState {
  return { entries: context.entries, removed: context.removed }
}
