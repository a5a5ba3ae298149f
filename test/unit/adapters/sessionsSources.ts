/** Sources for the `useSessions` / `sessionsStore` adapter tests: a BehaviorSubject fake, and real kits. */
import { BehaviorSubject, Observable } from 'rxjs'
import type { SessionsSource } from '../../../src/adapters/SessionsSource.js'
import { memoryKeyStore, memoryStorage } from '../../../src/index.js'
import { createSessionKit, type SessionKit, type SessionSummary } from '../../../src/kit/index.js'
import { scriptedMethod } from '../../kit/scriptedMethod.js'

/** A summary for `subject`, shaped as the kit builds it. */
export function summary(subject: string, active = false): SessionSummary {
  const now = Math.floor(Date.now() / 1000)
  return {
    id: `id-${subject}`,
    subject,
    method: 'pw',
    status: 'active',
    expiresAt: now + 600,
    lastUsedAt: now,
    createdAt: now,
    active,
  }
}

/** The contract with a BehaviorSubject behind it, counting live subscriptions. */
export function sessionsSource(initial: SessionSummary[]) {
  const subject = new BehaviorSubject(initial)
  let subscribers = 0
  const sessions$ = new Observable<SessionSummary[]>((subscriber) => {
    subscribers++
    const inner = subject.subscribe(subscriber)
    return () => {
      subscribers--
      inner.unsubscribe()
    }
  })
  const source: SessionsSource & { set(next: SessionSummary[]): void; readonly subscribers: number } = {
    sessions$,
    getSessions: () => subject.getValue(),
    set: (next) => subject.next(next),
    get subscribers() {
      return subscribers
    },
  }
  return source
}

const kits: SessionKit[] = []

/** A real kit on memory storage and keys, no tabs; destroy it with {@link destroyKits}. */
export function realKit(): SessionKit {
  const kit = createSessionKit({
    appId: 'adapters-kit',
    methods: [scriptedMethod().method],
    storage: memoryStorage(),
    keyStore: memoryKeyStore(),
    sync: false,
  })
  kits.push(kit)
  return kit
}

export function destroyKits(): void {
  for (const kit of kits.splice(0)) kit.destroy()
}

/** `subject*` for the active one, joined: what the test components render. */
export const describeSessions = (list: SessionSummary[]) =>
  list.map((s) => `${s.subject}${s.active ? '*' : ''}`).join(',') || 'none'
