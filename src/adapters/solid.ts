/** `tessera-session/solid`: the session as a Solid accessor. */
import { type Accessor, createSignal, onCleanup } from 'solid-js'
import type { SessionSummary } from '../kit/SessionKit.js'
import type { AuthState } from '../session.js'
import type { AuthStateSource } from './AuthStateSource.js'
import type { SessionsSource } from './SessionsSource.js'

/**
 * An accessor for `{ status, session }`, current from the first read; it unsubscribes when the
 * owning scope (component or `createRoot`) is cleaned up.
 *
 * @example
 * ```tsx
 * import { Show } from 'solid-js'
 *
 * function Header() {
 *   const auth = createAuthState(client)
 *   const signIn = <button onClick={() => client.signIn()}>Sign in</button>
 *   return <Show when={auth().status === 'active'} fallback={signIn}>{auth().session?.email}</Show>
 * }
 * ```
 */
export function createAuthState(client: AuthStateSource): Accessor<AuthState> {
  // The client keeps the same object until something changes, so the signal's default `===`
  // check turns the stream's first (current) value into no update at all.
  const [state, setState] = createSignal(client.getAuthState())
  const subscription = client.authState$.subscribe((next) => setState(next))
  onCleanup(() => subscription.unsubscribe())
  return state
}

/**
 * An accessor for a session kit's sessions (`tessera-session/kit`), current from the first read;
 * it unsubscribes when the owning scope is cleaned up.
 *
 * @example
 * ```tsx
 * import { For } from 'solid-js'
 *
 * function Accounts() {
 *   const sessions = createSessions(kit)
 *   return <For each={sessions()}>{(s) => <button onClick={() => kit.use(s.id)}>{s.subject}</button>}</For>
 * }
 * ```
 */
export function createSessions(kit: SessionsSource): Accessor<SessionSummary[]> {
  const [sessions, setSessions] = createSignal(kit.getSessions())
  const subscription = kit.sessions$.subscribe((next) => setSessions(() => next))
  onCleanup(() => subscription.unsubscribe())
  return sessions
}
