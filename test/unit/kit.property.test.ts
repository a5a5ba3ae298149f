// Session kits in 1–3 tabs of one origin, over a bus that delays and reorders their messages:
// random sign-ins (some failing, some of an account already signed in), switches, restores,
// sign-outs of one session or all (through the kit or through a session's own client), refreshes
// on simulated time and reloads. After every sequence, once every message is delivered, the
// registry, the storage namespaces and the keys agree: no key without a stored session, no
// session in the registry without stored data, no stored data without a registry entry, and every
// tab lists what storage lists.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SessionError } from '../../src/index.js'
import type { SessionKit } from '../../src/kit/index.js'
import { instantKeyStore, kitOrigin } from '../kit/kitOrigin.js'
import { trackingKeyStore } from '../kit/origin.js'

const SEQUENCES = Number(process.env.TESSERA_KIT_SEQUENCES ?? 400)

type Command =
  | { kind: 'signIn'; tab: number; subject: 'ada' | 'bob' | 'carol'; fail: boolean }
  | { kind: 'use'; tab: number; pick: number }
  | { kind: 'restore'; tab: number; by: 'recent' | 'id' | 'subject'; pick: number }
  | { kind: 'restoreAll'; tab: number }
  | { kind: 'signOut'; tab: number; pick: number }
  | { kind: 'signOutAll'; tab: number }
  | { kind: 'clientSignOut'; tab: number; pick: number }
  | { kind: 'reload'; tab: number }
  | { kind: 'deliver'; pick: number }
  | { kind: 'advance'; ms: number }

const tab = fc.nat(2)
const pick = fc.nat(5)
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('signIn' as const),
      tab,
      subject: fc.constantFrom('ada' as const, 'bob' as const, 'carol' as const),
      fail: fc.constantFrom(false, false, false, true),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('use' as const), tab, pick }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('restore' as const),
      tab,
      by: fc.constantFrom('recent' as const, 'id' as const, 'subject' as const),
      pick,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('restoreAll' as const), tab }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('signOut' as const), tab, pick }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('signOutAll' as const), tab }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('clientSignOut' as const), tab, pick }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('reload' as const), tab }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(10) }), weight: 4 },
  {
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 120_000 }) }),
    weight: 2,
  },
)
const scenario = fc.record({
  tabs: fc.integer({ min: 1, max: 3 }),
  commands: fc.array(command, { minLength: 1, maxLength: 25 }),
})

const exercised = { sessions: 0, replaced: 0, signOuts: 0, reloads: 0, reordered: 0, maxSessions: 0 }

async function run(tabCount: number, commands: Command[]) {
  const origin = kitOrigin({ manual: true, lifetimeSeconds: 120, keys: trackingKeyStore(instantKeyStore()) })
  const tabs: SessionKit[] = Array.from({ length: tabCount }, () => origin.tab())
  const at = (i: number) => tabs[i % tabs.length] as SessionKit
  const idOf = (kit: SessionKit, i: number) => {
    const list = kit.getSessions()
    return list.length ? (list[i % list.length]?.id ?? null) : null
  }
  const pending: Array<Promise<unknown>> = []
  const quietly = (work: Promise<unknown>) => pending.push(work.catch(() => undefined))
  try {
    for (const c of commands) {
      switch (c.kind) {
        case 'signIn': {
          const kit = at(c.tab)
          const before = kit.getSessions().filter((s) => s.subject === c.subject).length
          quietly(
            kit.signIn({ subject: c.subject, fail: c.fail }).then(() => {
              exercised.sessions++
              if (before > 0) exercised.replaced++
            }),
          )
          break
        }
        case 'use': {
          const id = idOf(at(c.tab), c.pick)
          try {
            if (id) at(c.tab).use(id)
          } catch (error) {
            // Another tab's sign-out, heard through storage while switching, may take it first.
            if (!(error instanceof SessionError && error.code === 'NO_SESSION')) throw error
          }
          break
        }
        case 'restore': {
          const kit = at(c.tab)
          const id = idOf(kit, c.pick)
          const subject = kit.getSessions().find((s) => s.id === id)?.subject
          const query =
            c.by === 'recent' || !id ? undefined : c.by === 'id' ? { id } : { subject: subject ?? '' }
          quietly(kit.restore(query))
          break
        }
        case 'restoreAll':
          quietly(at(c.tab).restoreAll())
          break
        case 'signOut': {
          const id = idOf(at(c.tab), c.pick)
          if (id) {
            exercised.signOuts++
            quietly(at(c.tab).signOut(id))
          }
          break
        }
        case 'signOutAll':
          exercised.signOuts++
          quietly(at(c.tab).signOut())
          break
        case 'clientSignOut': {
          const id = idOf(at(c.tab), c.pick)
          const client = id ? at(c.tab).client(id) : null
          if (client) {
            exercised.signOuts++
            quietly(client.signOut())
          }
          break
        }
        case 'reload': {
          exercised.reloads++
          const i = c.tab % tabs.length
          at(i).destroy()
          tabs[i] = origin.tab()
          break
        }
        case 'deliver':
          if (origin.bus.pending.length > 0) {
            const index = c.pick % origin.bus.pending.length
            if (index > 0) exercised.reordered++
            origin.bus.deliver(index)
          }
          break
        case 'advance':
          await origin.env.advance(c.ms)
          break
      }
      await origin.env.settle()
      exercised.maxSessions = Math.max(exercised.maxSessions, at(0).getSessions().length)
    }
    // Everything in flight finishes and every message is delivered (each round may cause more).
    for (let round = 0; round < 20; round++) {
      origin.bus.deliverAll()
      await origin.env.advance(round < 15 ? 500 : 10_000)
      if (origin.bus.pending.length === 0 && round > 2) break
    }
    await Promise.all(pending)
    origin.bus.deliverAll()
    await origin.env.settle()
    expect(origin.check(tabs)).toEqual([])
  } finally {
    for (const kit of tabs) kit.destroy()
  }
}

describe('session kits in tabs of one origin, simulated', () => {
  it(`${SEQUENCES} random sequences keep the registry, the storage namespaces and the keys consistent`, async () => {
    const replay = process.env.TESSERA_REPLAY_KIT
    if (replay) {
      // A counterexample printed by an earlier run, replayed on its own.
      const { tabs, commands } = JSON.parse(replay)[0]
      await run(tabs, commands)
      return
    }
    const details = await fc.check(
      fc.asyncProperty(scenario, async ({ tabs, commands }) => {
        let watchdog: ReturnType<typeof setTimeout> | undefined
        const stuck = new Promise<never>((_, reject) => {
          watchdog = setTimeout(() => reject(new Error('the sequence never finished')), 10_000)
        })
        try {
          await Promise.race([run(tabs, commands), stuck])
        } finally {
          clearTimeout(watchdog)
        }
      }),
      { numRuns: SEQUENCES, seed: 20261211 },
    )
    console.log(
      `kit property: ${details.numRuns} sequences, ${details.failed ? 1 : 0} violations${
        details.failed
          ? `; counterexample (replay it with TESSERA_REPLAY_KIT): ${JSON.stringify(details.counterexample)}`
          : ''
      }`,
    )
    console.log(`kit property exercised: ${JSON.stringify(exercised)}`)
    if (details.failed) throw details.errorInstance
    expect(exercised.sessions).toBeGreaterThan(SEQUENCES / 2)
    expect(exercised.replaced).toBeGreaterThan(SEQUENCES / 20)
    expect(exercised.signOuts).toBeGreaterThan(SEQUENCES / 4)
    expect(exercised.reordered).toBeGreaterThan(SEQUENCES / 20)
    expect(exercised.maxSessions).toBeGreaterThanOrEqual(3)
  }, 300_000)
})
