/** `tessera/react`: the session as React state, through `useSyncExternalStore`. */
import { useCallback, useSyncExternalStore } from 'react'
import type { AuthState, Session } from '../session.js'
import type { AuthStateSource } from './AuthStateSource.js'

/**
 * The current `{ status, session }`, re-rendering on every change. The server snapshot is the
 * client's own synchronous read, so server and first client render agree (no hydration mismatch)
 * whenever the server renders with the same storage; with no session on the server, render the
 * signed-out state there.
 *
 * @example
 * ```tsx
 * function Header() {
 *   const { status, session } = useAuthState(client)
 *   return status === 'active' ? <span>{session?.email}</span> : <SignInButton />
 * }
 * ```
 */
export function useAuthState(client: AuthStateSource): AuthState {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = client.authState$.subscribe(onChange)
      return () => subscription.unsubscribe()
    },
    [client],
  )
  return useSyncExternalStore(subscribe, client.getAuthState, client.getAuthState)
}

/**
 * The current session, or null.
 *
 * @example
 * ```tsx
 * const session = useSession(client)
 * ```
 */
export function useSession(client: AuthStateSource): Session | null {
  return useAuthState(client).session
}
