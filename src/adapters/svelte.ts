/** `tessera/svelte`: the session as a Svelte store (`$auth` in components, Svelte 4 and 5). */
import type { AuthState } from '../session.js'
import type { AuthStateSource } from './AuthStateSource.js'

/**
 * A readable store honouring the store contract: `run` is called synchronously with the current
 * value on subscribe, and the returned function unsubscribes.
 *
 * @example
 * ```svelte
 * <script>
 *   const auth = authStateStore(client)
 * </script>
 * {#if $auth.status === 'active'}Hello {$auth.session.email}{/if}
 * ```
 */
export function authStateStore(client: AuthStateSource): {
  subscribe(run: (value: AuthState) => void): () => void
} {
  return {
    subscribe(run) {
      const subscription = client.authState$.subscribe(run)
      return () => subscription.unsubscribe()
    },
  }
}
