/** `tessera/vue`: the session as a readonly Vue ref. */
import { onScopeDispose, type Ref, readonly, shallowRef } from 'vue'
import type { AuthState } from '../session.js'
import type { AuthStateSource } from './AuthStateSource.js'

/**
 * A readonly ref holding `{ status, session }`; it unsubscribes when the component (or effect
 * scope) is disposed.
 *
 * @example
 * ```ts
 * const auth = useAuthState(client)
 * watchEffect(() => console.log(auth.value.status))
 * ```
 */
export function useAuthState(client: AuthStateSource): Readonly<Ref<AuthState>> {
  const state = shallowRef(client.getAuthState())
  const subscription = client.authState$.subscribe((next) => {
    state.value = next
  })
  onScopeDispose(() => subscription.unsubscribe())
  return readonly(state) as Readonly<Ref<AuthState>>
}
