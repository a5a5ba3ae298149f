/** The RxJS face of the session actor: every stream is derived from its snapshots. */
import { Observable, type Observer, type Subscriber } from 'rxjs'
import { heldSession, statusOf } from '../../machines/sessionSelectors.js'
import { SessionError } from '../SessionError.js'
import type { AuthState, Session, SessionExpiredEvent } from '../session.js'
import type { SessionActor } from './sessionLogic.js'

type MachineSnapshot = ReturnType<SessionActor['getSnapshot']>

/**
 * The streams of one client.
 *
 * @example
 * ```ts
 * const streams = createAuthStreams(client.actor, () => () => undefined)
 * streams.authState$.subscribe(({ status }) => console.log(status))
 * ```
 */
export interface AuthStreams {
  session$: Observable<Session | null>
  authState$: Observable<AuthState>
  sessionExpired$: Observable<SessionExpiredEvent>
  errors$: Observable<SessionError>
  getAuthState(): AuthState
  /** Subscribes a callback that may throw without harming other listeners or operations. */
  listen<T>(
    stream: Observable<T>,
    listener: (value: T) => void,
    onListenerError: (error: SessionError) => void,
  ): () => void
  close(): void
}

/**
 * Derives the streams from the actor. `from(actor)` would skip the current snapshot, so each
 * subscription starts with it.
 *
 * @example
 * ```ts
 * import type { SessionError } from '../SessionError.js'
 *
 * const errorListeners = new Set<(error: SessionError) => void>()
 * createAuthStreams(client.actor, (listener) => {
 *   errorListeners.add(listener)
 *   return () => errorListeners.delete(listener)
 * })
 * ```
 */
export function createAuthStreams(
  actor: SessionActor,
  subscribeToErrors: (listener: (error: SessionError) => void) => () => void,
  /** Errors raised while the client was being constructed (bad stored data): replayed to each subscriber. */
  startupErrors: readonly SessionError[] = [],
): AuthStreams {
  // Every live subscriber, so destroy() can complete them all (a Subject + takeUntil costs 2.5 KB).
  const live = new Set<{ complete(): void }>()
  let closed = false
  const track = <T>(subscribe: (subscriber: Subscriber<T>) => () => void) =>
    new Observable<T>((subscriber) => {
      if (closed) {
        subscriber.complete()
        return
      }
      live.add(subscriber)
      const teardown = subscribe(subscriber)
      return () => {
        live.delete(subscriber)
        teardown()
      }
    })

  /**
   * The snapshots, current first, mapped by `project` and only when the projection changes (the
   * `map` + `distinctUntilChanged` + `filter` of RxJS, written out: the operators cost the core
   * entry 0.4 KB gzip for three lines each).
   */
  const derived = <T>(project: (snapshot: MachineSnapshot) => T, keep: (value: T) => boolean = () => true) =>
    track<T>((subscriber) => {
      let first = true
      let last: T
      const next = (snapshot: MachineSnapshot) => {
        const value = project(snapshot)
        if (!first && Object.is(value, last)) return
        first = false
        last = value
        if (keep(value)) subscriber.next(value)
      }
      next(actor.getSnapshot())
      const subscription = actor.subscribe({
        next,
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      })
      return () => subscription.unsubscribe()
    })

  let cached: AuthState = { status: 'restoring', session: null }
  const authStateOf = (snapshot: MachineSnapshot): AuthState => {
    const status = statusOf(snapshot)
    const session = heldSession(snapshot)
    if (cached.status !== status || cached.session !== session) cached = { status, session }
    return cached
  }

  const authState$ = derived(authStateOf)
  const session$ = derived((snapshot) => authStateOf(snapshot).session)
  const sessionExpired$ = derived(
    (snapshot) => snapshot.context.expired,
    (event) => event !== null,
  ) as Observable<SessionExpiredEvent>
  const errors$ = track<SessionError>((subscriber) => {
    for (const error of startupErrors) subscriber.next(error)
    return subscribeToErrors((error) => subscriber.next(error))
  })

  return {
    session$,
    authState$,
    sessionExpired$,
    errors$,
    getAuthState: () => authStateOf(actor.getSnapshot()),
    listen(stream, listener, onListenerError) {
      const observer: Partial<Observer<Parameters<typeof listener>[0]>> = {
        next: (value) => {
          try {
            listener(value)
          } catch (error) {
            onListenerError(new SessionError('LISTENER_ERROR', 'A session listener threw', { cause: error }))
          }
        },
      }
      const subscription = stream.subscribe(observer)
      return () => subscription.unsubscribe()
    },
    close() {
      closed = true
      for (const subscriber of [...live]) subscriber.complete()
      live.clear()
    },
  }
}
