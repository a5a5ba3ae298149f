/** The slice of a session client that UI adapters bind to. */
import type { Observable } from 'rxjs'
import type { AuthState } from '../session.js'

/**
 * What every framework adapter needs: a stream that emits the current state first, and a
 * synchronous read with a stable identity. `SessionClient` satisfies it.
 *
 * @example
 * ```ts
 * const source: AuthStateSource = createSessionClient({ appId: 'shop', methods })
 * ```
 */
export interface AuthStateSource {
  authState$: Observable<AuthState>
  getAuthState(): AuthState
}
