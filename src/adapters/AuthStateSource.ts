/** The slice of a session client that UI adapters bind to. */
import type { Observable } from 'rxjs'
import type { AuthState } from '../session.js'

/**
 * What every framework adapter needs. `SessionClient` satisfies it; so does any object with these
 * two members, which is how the adapters are tested without a client.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const source: AuthStateSource = createSessionClient({ appId: 'shop', methods })
 * ```
 */
export interface AuthStateSource {
  /** Emits the current AuthState synchronously on subscribe, then every change. */
  authState$: Observable<AuthState>
  /**
   * The current AuthState; the same object until status or session changes (which is what
   * `useSyncExternalStore` requires of a snapshot).
   */
  getAuthState(): AuthState
}
