/** Sources for the adapter tests: a BehaviorSubject fake of the contract, and real clients. */
import { BehaviorSubject, Observable } from 'rxjs'
import type { AuthStateSource } from '../../../src/adapters/AuthStateSource.js'
import {
  type AuthState,
  createSessionClient,
  memoryStorage,
  type SessionClient,
  type StorageAdapter,
} from '../../../src/index.js'
import { fakeJwt } from '../../utils/tokens.js'

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

const clients: SessionClient[] = []

/** A real client on memory storage (no tabs, no key store); destroy it with {@link destroyClients}. */
export function realClient(storage: StorageAdapter = memoryStorage()): SessionClient {
  const client = createSessionClient({
    appId: 'adapters',
    methods: [],
    storage,
    sync: false,
    keyStore: false,
  })
  clients.push(client)
  return client
}

export function destroyClients(): void {
  for (const client of clients.splice(0)) client.destroy()
}

/** An unsigned access token for `subject` that expires in ten minutes. */
export function accessToken(subject: string): string {
  return fakeJwt({ sub: subject, exp: Math.floor(Date.now() / 1000) + 600 })
}
