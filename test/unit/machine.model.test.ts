// Model-based tests generated from the session machine itself with xstate/graph: every state the
// machine can reach is explored with representative events (each carrying its time), invariants are
// checked on every transition, and a test fails when a transition the machine declares is never taken.

import { describe, expect, it } from 'vitest'
import {
  type AnyStateMachine,
  type AnyStateNode,
  type AnyTransitionDefinition,
  getInitialMicrosteps,
  getMicrosteps,
} from 'xstate'
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph'
import { isTokenExpired } from '../../machines/refreshSchedule.js'
import {
  type RedirectOutcome,
  type RefreshOutcome,
  type SessionEvent,
  type SessionMachineInput,
  type SignInOutcome,
  sessionMachine,
} from '../../machines/session.machine.js'
import { refOf, type SessionRecord, type StoredSessionState } from '../../machines/sessionRecord.js'
import { statusOf } from '../../machines/sessionSelectors.js'
import { SessionError } from '../../src/SessionError.js'

type Snapshot = ReturnType<typeof sessionMachine.transition>
type AnyEvent = SessionEvent | { type: string; output?: unknown; error?: unknown }

const NOW = 1_800_000_000_000
const S = NOW / 1000

function record(
  id: string,
  refreshable: boolean,
  expiresAt: number,
  options: { issuedAt?: number; generation?: number; signedInAt?: number; keyId?: string } = {},
): SessionRecord {
  const accessToken = `at-${id}-${expiresAt}-${options.generation ?? 0}`
  const issuedAt = options.issuedAt ?? S
  return {
    session: { id, subject: 'u', method: 'm', accessToken, tokenType: 'Bearer', issuedAt, expiresAt },
    credentials: { accessToken, refreshToken: 'rt' },
    refreshable,
    keyId: options.keyId ?? `key-${id}`,
    signedInAt: options.signedInAt ?? issuedAt * 1000,
    generation: options.generation ?? 0,
    obtainedAt: issuedAt * 1000,
  }
}

const valid = record('a', true, S + 300)
const validNoRefresh = record('b', false, S + 300)
const expiredRefreshable = record('a', true, S - 10, { issuedAt: S - 310 })
const expiredNoRefresh = record('b', false, S - 10, { issuedAt: S - 310 })
const newerSignIn = record('c', true, S + 900, { signedInAt: NOW + 10 })
const deadOnArrival = { ...record('a', true, S, { generation: 1 }), shortLivedStreak: 1 }
const expiredEvent = { session: valid.session, expiredAt: S - 5, reason: 'refresh_rejected' as const }
const pending = {
  methodId: 'oidc',
  startedAt: NOW - 1000,
  expiresAt: NOW + 600_000,
  state: 'st',
  keyId: 'key-p',
}

const stored = (s: Partial<StoredSessionState>): StoredSessionState => ({
  record: null,
  expired: null,
  pendingRedirect: null,
  signedOut: null,
  ...s,
})
const storedVariants: StoredSessionState[] = [
  stored({ pendingRedirect: pending }),
  stored({ pendingRedirect: { ...pending, expiresAt: NOW - 1 } }),
  stored({ record: valid }),
  stored({ record: expiredRefreshable }),
  stored({ record: expiredNoRefresh }),
  stored({ expired: expiredEvent }),
  stored({ signedOut: refOf(valid) }),
  stored({}),
]

const done = (id: string, output: unknown) => ({ type: `xstate.done.actor.${id}`, output })
const failure = (code: 'NETWORK' | 'SESSION_EXPIRED' | 'INVALID_RESPONSE', now: number): RefreshOutcome => ({
  ok: false,
  error: new SessionError(code, code),
  now,
  jitter: 0.5,
})
const refreshOutcomes: RefreshOutcome[] = [
  { ok: true, record: record('a', true, S + 600, { issuedAt: S + 1, generation: 1 }), now: NOW + 1000 },
  { ok: true, record: deadOnArrival, now: NOW + 1000 },
  { ok: true, record: valid, now: NOW + 1000 }, // not fresher than what is held
  failure('SESSION_EXPIRED', NOW + 1000),
  failure('INVALID_RESPONSE', NOW + 1000),
  failure('NETWORK', NOW + 1000),
  failure('NETWORK', NOW + 400_000),
]
const signInOutcomes: SignInOutcome[] = [
  { kind: 'session', record: valid, now: NOW },
  { kind: 'session', record: deadOnArrival, now: NOW + 500 },
  { kind: 'redirect', pendingRedirect: pending, url: 'https://idp.example/authorize' },
  { kind: 'failed', error: new SessionError('SIGN_IN_FAILED', 'no'), now: NOW },
  { kind: 'failed', error: new SessionError('SIGN_IN_FAILED', 'no'), now: NOW + 400_000 },
]
const redirectOutcomes: RedirectOutcome[] = [
  { kind: 'session', record: valid, now: NOW },
  { kind: 'session', record: deadOnArrival, now: NOW + 500 },
  { kind: 'failed', error: new SessionError('INVALID_RESPONSE', 'no'), now: NOW },
  { kind: 'failed', error: new SessionError('INVALID_RESPONSE', 'no'), now: NOW + 400_000 },
]

/** The events worth trying in a snapshot: every external event, plus the outcomes of what it invokes. */
function eventsFor(snapshot: Snapshot): AnyEvent[] {
  const held = snapshot.context.record
  const events: AnyEvent[] = [
    { type: 'SIGN_OUT', redirect: false },
    { type: 'REMOTE_SIGNED_OUT', session: refOf(valid) },
    { type: 'REMOTE_SIGNED_OUT', session: refOf(newerSignIn) },
    { type: 'REMOTE_SIGNED_OUT', session: null },
    { type: 'SIGN_IN', attemptId: 'x', methodId: 'm', params: {} },
    { type: 'SESSION_ESTABLISHED', attemptId: 'y', record: valid, now: NOW },
    { type: 'SESSION_ESTABLISHED', attemptId: 'y', record: validNoRefresh, now: NOW },
    { type: 'REMOTE_SESSION', record: newerSignIn, now: NOW },
    { type: 'REMOTE_SESSION', record: deadOnArrival, now: NOW + 500 },
    { type: 'REMOTE_SESSION', record: { ...validNoRefresh, signedInAt: NOW + 20 }, now: NOW },
    { type: 'REMOTE_EXPIRED', expired: expiredEvent, session: refOf(valid) },
    {
      type: 'REMOTE_EXPIRED',
      expired: { ...expiredEvent, session: newerSignIn.session },
      session: refOf(newerSignIn),
    },
    {
      type: 'REDIRECT_CALLBACK',
      attemptId: 'z',
      url: 'https://app.example/cb?code=1&state=st',
      state: 'st',
      now: NOW,
    },
    {
      type: 'REDIRECT_CALLBACK',
      attemptId: 'z',
      url: 'https://app.example/cb?code=1&state=no',
      state: 'no',
      now: NOW + 400_000,
    },
    { type: 'REFRESH', now: NOW },
    { type: 'CHECK', now: NOW + 250_000 },
    { type: 'CHECK', now: NOW + 400_000 },
    { type: 'WAKE', now: NOW + 400_000 },
    { type: 'RETRY_DUE', now: NOW + 2000 },
    { type: 'REDIRECT_TIMEOUT', now: NOW + 700_000 },
  ]
  if (held) events.push({ type: 'REMOTE_SIGNED_OUT', session: refOf(held) })
  // A key this tab's write displaced: another tab's (deleted here), or its own (left to the machine).
  events.push({ type: 'KEY_DISPLACED', keyId: 'k-other-tab' })
  if (held?.keyId) events.push({ type: 'KEY_DISPLACED', keyId: held.keyId })
  for (const child of Object.keys(snapshot.children)) {
    if (child.endsWith('restoring.loading')) {
      for (const s of storedVariants) events.push(done(child, { stored: s, now: NOW }))
      events.push({ type: `xstate.error.actor.${child}`, error: new SessionError('STORAGE', 'x') })
    } else if (child.endsWith('session.authenticating')) {
      for (const outcome of signInOutcomes) events.push(done(child, outcome))
    } else if (child.endsWith('oidcRedirectPending.completing')) {
      for (const outcome of redirectOutcomes) events.push(done(child, outcome))
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
      ? `${c.record.session.id}:${c.record.generation}:${c.record.refreshable}:${c.record.session.expiresAt > S}`
      : null,
    expired: c.expired?.reason ?? null,
    pending: c.pendingRedirect !== null,
    signedOut: c.signedOut?.id ?? null,
    attempt: c.attempt !== null,
    retry: Math.min(c.refreshAttempt, 2),
    keys: c.heldKeys.length,
  })
}

const inputs: SessionMachineInput[] = [
  { refreshSkewSeconds: 60, now: NOW },
  ...storedVariants.map((restored) => ({ refreshSkewSeconds: 60, now: NOW, restored })),
]

type Edge = { event: AnyEvent; next: Snapshot }

function explore() {
  const adjacency = new Map<string, { snapshot: Snapshot; edges: Edge[] }>()
  for (const input of inputs) {
    const map = getAdjacencyMap(sessionMachine as unknown as AnyStateMachine, {
      input,
      events: (s) => eventsFor(s as Snapshot) as SessionEvent[],
      serializeState: (s) => serialize(s as Snapshot),
      serializeEvent: (e) => JSON.stringify(e),
      limit: 20_000,
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
  const steps = getMicrosteps(sessionMachine, snapshot, event as SessionEvent).map(([s]) => s as Snapshot)
  for (let i = 1; i < steps.length; i++) {
    const t = enabledAlways(steps[i - 1] as Snapshot, event)
    if (t) taken.push(t)
  }
  return taken
}

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

/** The time an event happens at: its own `now`, its outcome's, or the model's start. */
function timeOf(event: AnyEvent): number {
  const e = event as { now?: number; output?: { now?: number } }
  return e.now ?? e.output?.now ?? NOW
}

const refreshesInFlight = (s: Snapshot) =>
  Object.values(s.children).filter((c) => (c as { src?: unknown } | undefined)?.src === 'refreshSession')
    .length

describe('the session machine, model-based', () => {
  const adjacency = explore()

  it('explores a bounded model', () => {
    expect(adjacency.size).toBeGreaterThan(50)
    expect(adjacency.size).toBeLessThan(20_000)
  })

  it('holds its invariants in every reachable state and after every transition', () => {
    let checked = 0
    for (const { snapshot, edges } of adjacency.values()) {
      const status = statusOf(snapshot)
      const c = snapshot.context
      const where = serialize(snapshot)
      if (status === 'active' || status === 'refreshing') expect(c.record, where).not.toBeNull()
      if (status === 'signedOut') expect(c.record, where).toBeNull()
      if (JSON.stringify(snapshot.value) === '{"oidcRedirectPending":"waiting"}') {
        expect(c.pendingRedirect, where).not.toBeNull()
      }
      // `expired` ⇒ an expired event exists (and is replayed).
      if (status === 'expired') expect(c.expired, where).not.toBeNull()
      if (status === 'active') expect(c.expired, where).toBeNull()
      if (status === 'refreshing') expect(c.record?.refreshable, where).toBe(true)
      // At most one refresh in flight.
      expect(refreshesInFlight(snapshot), where).toBeLessThanOrEqual(1)
      // Every key the tab still references is one it holds (and so will delete when done with it).
      for (const key of [c.record?.keyId, c.pendingRedirect?.keyId])
        if (key) expect(c.heldKeys, where).toContain(key)
      for (const { event, next } of edges) {
        checked++
        // `active` ⇒ the token is unexpired or a refresh is due now, at the time of the transition.
        if (statusOf(next) === 'active' && statusOf(snapshot) !== 'active') {
          const now = timeOf(event)
          const r = next.context.record as SessionRecord
          const due = r.refreshable && now >= next.context.checkAt
          expect(!isTokenExpired(r, now) || due, `${where} --${event.type}--> ${serialize(next)}`).toBe(true)
        }
      }
    }
    expect(checked).toBeGreaterThan(500)
  })

  it('reaches every top-level state by a shortest path', () => {
    const paths = getShortestPaths(sessionMachine as unknown as AnyStateMachine, {
      input: inputs[0],
      events: (s) => eventsFor(s as Snapshot) as SessionEvent[],
      serializeState: (s) => serialize(s as Snapshot),
      serializeEvent: (e) => JSON.stringify(e),
      limit: 20_000,
    })
    const reached = new Set(paths.map((p) => statusOf(p.state as Snapshot)))
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
    for (const input of inputs) for (const t of initialTransitions(input)) covered.add(t)
    for (const { snapshot, edges } of adjacency.values()) {
      for (const { event } of edges) for (const t of takenTransitions(snapshot, event)) covered.add(t)
    }
    const missing = [...declared].filter(([t]) => !covered.has(t)).map(([, name]) => name)
    expect(missing, `never taken:\n${missing.join('\n')}`).toEqual([])
  })
})
