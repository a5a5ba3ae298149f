/** `tessera-session/vue`: the session as a readonly Vue ref. */
import { onScopeDispose, type ShallowRef, shallowReadonly, shallowRef } from 'vue'
import type { SessionSummary } from '../kit/SessionKit.js'
import type { AuthState } from '../session.js'
import type { AuthStateSource } from './AuthStateSource.js'
import type { SessionsSource } from './SessionsSource.js'

/**
 * A readonly ref holding `{ status, session }`, current from the first render; it unsubscribes
 * when the component (or effect scope) that called it is disposed.
 *
 * The value is the client's own object (shallow: not wrapped in a reactive proxy), so
 * `auth.value.session === client.getSession()` holds.
 *
 * @example
 * ```ts
 * import { computed } from 'vue'
 *
 * const auth = useAuthState(client)
 * const greeting = computed(() => (auth.value.status === 'active' ? `Hi ${auth.value.session?.email}` : ''))
 * ```
 */
export function useAuthState(client: AuthStateSource): Readonly<ShallowRef<AuthState>> {
  const state = shallowRef(client.getAuthState())
  const subscription = client.authState$.subscribe((next) => {
    state.value = next
  })
  onScopeDispose(() => subscription.unsubscribe())
  // shallowReadonly, not readonly: readonly() would hand out deep readonly proxies of the session.
  return shallowReadonly(state)
}

/**
 * A readonly ref holding a session kit's sessions (`tessera-session/kit`), current from the first
 * render; it unsubscribes when the component (or effect scope) that called it is disposed.
 *
 * @example
 * ```ts
 * import { computed } from 'vue'
 *
 * const sessions = useSessions(kit)
 * const names = computed(() => sessions.value.map((s) => `${s.subject}${s.active ? ' (current)' : ''}`))
 * ```
 */
export function useSessions(kit: SessionsSource): Readonly<ShallowRef<SessionSummary[]>> {
  const sessions = shallowRef(kit.getSessions())
  const subscription = kit.sessions$.subscribe((next) => {
    sessions.value = next
  })
  onScopeDispose(() => subscription.unsubscribe())
  return shallowReadonly(sessions)
}
