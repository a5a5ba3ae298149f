// Model-based tests generated from the session machine itself with xstate/graph: every state the
// machine can reach is explored with representative events, invariants are checked in each, and
// a test fails when a transition the machine declares is never taken.

import { describe, expect, it } from 'vitest'
import { type AnyStateNode, type AnyTransitionDefinition, getInitialMicrosteps, getMicrosteps } from 'xstate'
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph'
import {
  type RefreshOutcome,
  type SessionEvent,
  type SessionMachineInput,
  type SignInOutcome,
  sessionMachine,
} from '../../machines/session.machine.js'
import type { SessionRecord, StoredSessionState } from '../../machines/sessionRecord.js'
import { SessionError } from '../../src/SessionError.js'

type Snapshot = ReturnType<typeof sessionMachine.transition>
type AnyEvent = SessionEvent | { type: string; output?: unknown; error?: unknown }

const NOW = 1_800_000_000_000
const S = NOW / 1000

function record(id: string, refreshable: boolean, expiresAt: number, issuedAt = S): SessionRecord {
  const accessToken = `at-${id}-${expiresAt}`
  return {
    session: { id, subject: 'u', method: 'm', accessToken, tokenType: 'Bearer', issuedAt, expiresAt },
    credentials: { accessToken, refreshToken: 'rt' },
    refreshable,
  }
}

const valid = record('a', true, S + 300)
const validNoRefresh = record('b', false, S + 300)
const expiredRefreshable = record('a', true, S - 10, S - 310)
const expiredNoRefresh = record('b', false, S - 10, S - 310)
const expiredEvent = { session: valid.session, expiredAt: S - 5, reason: 'refresh_rejected' as const }
const pending = { methodId: 'oidc', startedAt: NOW - 1000, expiresAt: NOW + 600_000 }

const storedVariants: StoredSessionState[] = [
  { record: null, expired: null, pendingRedirect: pending },
  { record: valid, expired: null, pendingRedirect: null },
  { record: expiredRefreshable, expired: null, pendingRedirect: null },
  { record: expiredNoRefresh, expired: null, pendingRedirect: null },
  { record: null, expired: expiredEvent, pendingRedirect: null },
  { record: null, expired: null, pendingRedirect: null },
]

const done = (id: string, output: unknown) => ({ type: `xstate.done.actor.${id}`, output })
const error = (id: string) => ({
  type: `xstate.error.actor.${id}`,
  error: new SessionError('NETWORK', 'boom'),
})

const refreshOutcomes: RefreshOutcome[] = [
  { ok: true, record: record('a', true, S + 600, S + 1), now: NOW + 1000 },
  { ok: false, error: new SessionError('SESSION_EXPIRED', 'rejected'), now: NOW + 1000, jitter: 0.5 },
  { ok: false, error: new SessionError('NETWORK', 'down'), now: NOW + 1000, jitter: 0.5 },
  { ok: false, error: new SessionError('NETWORK', 'down'), now: NOW + 400_000, jitter: 0.5 },
]
const signInOutcomes: SignInOutcome[] = [
  { kind: 'session', record: valid, now: NOW },
  { kind: 'redirect', pendingRedirect: pending, url: 'https://idp.example/authorize' },
]

/** The events worth trying in a snapshot: every external event, plus the outcomes of what it invokes. */
function eventsFor(snapshot: Snapshot): AnyEvent[] {
  const events: AnyEvent[] = [
    { type: 'SIGN_OUT' },
    { type: 'REMOTE_SIGNED_OUT' },
    { type: 'SIGN_IN', methodId: 'm', params: {} },
    { type: 'SESSION_ESTABLISHED', record: valid, now: NOW },
    { type: 'SESSION_ESTABLISHED', record: validNoRefresh, now: NOW },
    { type: 'REMOTE_SESSION', record: record('c', true, S + 900, S + 2), now: NOW },
    { type: 'REMOTE_EXPIRED', expired: expiredEvent },
    { type: 'REDIRECT_CALLBACK', methodId: 'oidc', url: 'https://app.example/cb?code=1' },
    { type: 'REFRESH', now: NOW },
    { type: 'CHECK', now: NOW + 250_000 },
    { type: 'CHECK', now: NOW + 400_000 },
    { type: 'REFRESH_DUE' },
    { type: 'TOKEN_EXPIRED' },
    { type: 'RETRY_DUE' },
    { type: 'REDIRECT_TIMEOUT' },
  ]
  for (const child of Object.keys(snapshot.children)) {
    if (child.endsWith('restoring.loading')) {
      for (const stored of storedVariants) events.push(done(child, { stored, now: NOW }))
      events.push(error(child))
    } else if (child.endsWith('session.authenticating')) {
      for (const outcome of signInOutcomes) events.push(done(child, outcome))
      events.push(error(child))
    } else if (child.endsWith('oidcRedirectPending.completing')) {
      events.push(done(child, { record: valid, now: NOW }), error(child))
    } else if (child.endsWith('refreshing.requesting')) {
      for (const outcome of refreshOutcomes) events.push(done(child, outcome))
    }
  }
  return events
}

/** Snapshots that differ only in irrelevant detail count as one state of the model. */
function serialize(snapshot: Snapshot): string {
  const c = snapshot.context
  return JSON.stringify({
    value: snapshot.value,
    record: c.record
      ? `${c.record.session.id}:${c.record.refreshable}:${c.record.session.expiresAt > S}`
      : null,
    expired: c.expired?.reason ?? null,
    pending: c.pendingRedirect !== null,
    attempt: Math.min(c.refreshAttempt, 2),
  })
}

const inputs: SessionMachineInput[] = [
  { refreshSkewSeconds: 60, now: NOW },
  ...storedVariants.map((restored) => ({ refreshSkewSeconds: 60, now: NOW, restored })),
]

function explore() {
  const adjacency = new Map<
    string,
    { snapshot: Snapshot; edges: Array<{ event: AnyEvent; next: Snapshot }> }
  >()
  for (const input of inputs) {
    const map = getAdjacencyMap(sessionMachine, {
      input,
      events: (s) => eventsFor(s as Snapshot) as SessionEvent[],
      serializeState: (s) => serialize(s as Snapshot),
      serializeEvent: (e) => JSON.stringify(e),
      limit: 5000,
    })
    for (const [key, { state, transitions }] of Object.entries(map)) {
      const entry = adjacency.get(key) ?? { snapshot: state as Snapshot, edges: [] }
      for (const t of Object.values(transitions) as Array<{ event: unknown; state: unknown }>) {
        entry.edges.push({ event: t.event as AnyEvent, next: t.state as Snapshot })
      }
      adjacency.set(key, entry)
    }
  }
  return adjacency
}

/** Every transition the machine declares, keyed by object identity. */
function declaredTransitions(): Map<AnyTransitionDefinition, string> {
  const all = new Map<AnyTransitionDefinition, string>()
  const visit = (node: AnyStateNode) => {
    for (const [eventType, transitions] of node.transitions) {
      transitions.forEach((t, i) => {
        all.set(
          t,
          `${node.id} on ${eventType.replace(/^xstate\.(done|error)\.actor\..*/, 'xstate.$1')} #${i}`,
        )
      })
    }
    node.always?.forEach((t, i) => {
      all.set(t, `${node.id} always #${i}`)
    })
    for (const child of Object.values(node.states)) visit(child)
  }
  visit(sessionMachine.root)
  return all
}

type GuardImpl = (args: { context: unknown; event: unknown }, params: unknown) => boolean
const guards = (sessionMachine.implementations.guards ?? {}) as Record<string, GuardImpl>

/** The first enabled eventless transition in document order, as XState selects it. */
function enabledAlways(snapshot: Snapshot, event: AnyEvent): AnyTransitionDefinition | undefined {
  const atomic = (snapshot as unknown as { _nodes: AnyStateNode[] })._nodes.filter((n) => n.type === 'atomic')
  for (const leaf of atomic) {
    for (let node: AnyStateNode | undefined = leaf; node; node = node.parent) {
      for (const t of node.always ?? []) {
        const guard = t.guard as string | undefined
        if (!guard || guards[guard]?.({ context: snapshot.context, event }, undefined)) return t
      }
    }
  }
  return undefined
}

/** Which declared transitions `event` takes from `snapshot`, eventless ones included. */
function takenTransitions(snapshot: Snapshot, event: AnyEvent): AnyTransitionDefinition[] {
  const taken = [...sessionMachine.getTransitionData(snapshot, event as SessionEvent)]
  if (taken.length === 0) return taken
  // Microstep by microstep: each step after the first is an eventless transition.
  const steps = getMicrosteps(sessionMachine, snapshot, event as SessionEvent).map(([s]) => s as Snapshot)
  for (let i = 1; i < steps.length; i++) {
    const t = enabledAlways(steps[i - 1] as Snapshot, event)
    if (t) taken.push(t)
  }
  return taken
}

/** The eventless transitions taken while the machine starts from `input`. */
function initialTransitions(input: SessionMachineInput): AnyTransitionDefinition[] {
  const start = { type: 'xstate.init', input } as unknown as AnyEvent
  const steps = getInitialMicrosteps(sessionMachine, input).map(([s]) => s as Snapshot)
  const taken: AnyTransitionDefinition[] = []
  for (let i = 1; i < steps.length; i++) {
    const t = enabledAlways(steps[i - 1] as Snapshot, start)
    if (t) taken.push(t)
  }
  return taken
}

describe('the session machine, model-based', () => {
  const adjacency = explore()

  it('explores a bounded model', () => {
    expect(adjacency.size).toBeGreaterThan(10)
    expect(adjacency.size).toBeLessThan(5000)
  })

  it('holds its invariants in every reachable state', () => {
    for (const { snapshot } of adjacency.values()) {
      const top = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0]
      const c = snapshot.context
      const where = serialize(snapshot)
      if (top === 'active' || top === 'refreshing') expect(c.record, where).not.toBeNull()
      if (top === 'signedOut') expect(c.record, where).toBeNull()
      // A callback may arrive with no pending marker (it was lost); waiting always has one.
      if (JSON.stringify(snapshot.value) === '{"oidcRedirectPending":"waiting"}') {
        expect(c.pendingRedirect, where).not.toBeNull()
      }
      if (top === 'expired') expect(c.expired, where).not.toBeNull()
      if (top === 'active') expect(c.expired, where).toBeNull()
      if (top === 'refreshing') expect(c.record?.refreshable, where).toBe(true)
    }
  })

  it('reaches every top-level state by a shortest path', () => {
    const paths = getShortestPaths(sessionMachine, {
      input: inputs[0],
      events: (s) => eventsFor(s as Snapshot) as SessionEvent[],
      serializeState: (s) => serialize(s as Snapshot),
      serializeEvent: (e) => JSON.stringify(e),
      limit: 5000,
    })
    const reached = new Set(
      paths.map((p) => (typeof p.state.value === 'string' ? p.state.value : Object.keys(p.state.value)[0])),
    )
    expect([...reached].sort()).toEqual(
      [
        'active',
        'authenticating',
        'expired',
        'oidcRedirectPending',
        'refreshing',
        'restoring',
        'signedOut',
      ].sort(),
    )
  })

  it('takes every transition the machine declares at least once', () => {
    const declared = declaredTransitions()
    const covered = new Set<AnyTransitionDefinition>()
    // The initial routing of each input (eventless transitions out of restoring).
    for (const input of inputs) for (const t of initialTransitions(input)) covered.add(t)
    for (const { snapshot, edges } of adjacency.values()) {
      for (const { event } of edges) for (const t of takenTransitions(snapshot, event)) covered.add(t)
    }
    const missing = [...declared].filter(([t]) => !covered.has(t)).map(([, name]) => name)
    expect(missing, `never taken:\n${missing.join('\n')}`).toEqual([])
  })
})
