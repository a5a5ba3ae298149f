/** Sources for the adapter tests: a BehaviorSubject fake of the contract, and real clients. */
import { BehaviorSubject, Observable } from 'rxjs'
import type { AuthStateSource } from '../../../src/adapters/AuthStateSource.js'
import { type AuthState, memoryStorage, type SessionClient, type StorageAdapter } from '../../../src/index.js'
import { fakeJwt } from '../../kit/jwt.js'
import { testClient } from '../../kit/testClient.js'

export const signedOut: AuthState = { status: 'signedOut', session: null }

/** An `active` state for `subject`, shaped as the client would build it. */
export function activeState(subject: string): AuthState {
  const now = Math.floor(Date.now() / 1000)
  return {
    status: 'active',
    session: {
      id: `session-${subject}`,
      subject,
      method: 'tokens',
      accessToken: 'not-a-real-token',
      tokenType: 'Bearer',
      issuedAt: now,
      expiresAt: now + 600,
    },
  }
}

/** A live-subscription counter around any source, to prove that adapters unsubscribe. */
export interface CountedSource extends AuthStateSource {
  readonly subscribers: number
  /** How many times anything subscribed, over the source's life. */
  readonly subscriptions: number
}

export function counted(source: AuthStateSource): CountedSource {
  let subscribers = 0
  let subscriptions = 0
  const authState$ = new Observable<AuthState>((subscriber) => {
    subscribers++
    subscriptions++
    const inner = source.authState$.subscribe(subscriber)
    return () => {
      subscribers--
      inner.unsubscribe()
    }
  })
  return {
    authState$,
    getAuthState: () => source.getAuthState(),
    get subscribers() {
      return subscribers
    },
    get subscriptions() {
      return subscriptions
    },
  }
}

/** The contract with nothing behind it but a BehaviorSubject: current value first, then changes. */
export function behaviorSource(initial: AuthState): CountedSource & { set(next: AuthState): void } {
  const subject = new BehaviorSubject(initial)
  const source = counted({ authState$: subject.asObservable(), getAuthState: () => subject.getValue() })
  return Object.assign(source, { set: (next: AuthState) => subject.next(next) })
}

/** A real client on memory storage (no tabs, no key store), destroyed when the test finishes. */
export function realClient(storage: StorageAdapter = memoryStorage()): SessionClient {
  return testClient({ appId: 'adapters', methods: [], storage, keyStore: false }).client
}

/** An unsigned access token for `subject` that expires in ten minutes. */
export function accessToken(subject: string): string {
  return fakeJwt({ sub: subject, exp: Math.floor(Date.now() / 1000) + 600 })
}
