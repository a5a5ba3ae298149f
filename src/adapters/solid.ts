/** `tessera/solid`: the session as a Solid accessor. */
import { type Accessor, createSignal, onCleanup } from 'solid-js'
import type { AuthState } from '../session.js'
import type { AuthStateSource } from './AuthStateSource.js'

/**
 * An accessor for `{ status, session }`, unsubscribed when the owning scope is cleaned up.
 *
 * @example
 * ```tsx
 * const auth = createAuthState(client)
 * return <Show when={auth().status === 'active'}>{auth().session?.email}</Show>
 * ```
 */
export function createAuthState(client: AuthStateSource): Accessor<AuthState> {
  const [state, setState] = createSignal(client.getAuthState(), { equals: false })
  const subscription = client.authState$.subscribe((next) => setState(() => next))
  onCleanup(() => subscription.unsubscribe())
  return state
}
