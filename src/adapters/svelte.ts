/** `tessera-session/svelte`: the session as a Svelte store (`$auth` in components, Svelte 4 and 5). */
import type { SessionSummary } from '../kit/SessionKit.js'
import type { AuthState } from '../session.js'
import type { AuthStateSource } from './AuthStateSource.js'
import type { SessionsSource } from './SessionsSource.js'

/**
 * The Svelte store contract, written out so that this module needs no import from `svelte`.
 *
 * @example
 * ```ts
 * const auth: AuthStateStore = authStateStore(client)
 * const stop = auth.subscribe(({ status }) => console.log(status))
 * ```
 */
export interface AuthStateStore {
  subscribe(run: (value: AuthState) => void): () => void
}

/**
 * A readable store: `run` is called synchronously with the current value on subscribe (so `$auth`
 * is never undefined), then on every change; the returned function unsubscribes. Svelte subscribes
 * when a component first reads `$auth` and unsubscribes when it is destroyed.
 *
 * @example
 * ```svelte
 * <script>
 *   import { authStateStore } from 'tessera-session/svelte'
 *   const auth = authStateStore(client)
 * </script>
 * {#if $auth.status === 'active'}Hello {$auth.session.email}{/if}
 * ```
 */
export function authStateStore(client: AuthStateSource): AuthStateStore {
  return {
    subscribe(run) {
      // authState$ emits the current value synchronously on subscribe, which is what the contract asks.
      const subscription = client.authState$.subscribe(run)
      return () => subscription.unsubscribe()
    },
  }
}

/**
 * The Svelte store contract for a session kit's sessions.
 *
 * @example
 * ```ts
 * const sessions: SessionsStore = sessionsStore(kit)
 * const stop = sessions.subscribe((list) => console.log(list.length, 'sessions'))
 * ```
 */
export interface SessionsStore {
  subscribe(run: (value: SessionSummary[]) => void): () => void
}

/**
 * A readable store of a session kit's sessions (`tessera-session/kit`): `run` is called at once
 * with the current list, then on every change.
 *
 * @example
 * ```svelte
 * <script>
 *   import { sessionsStore } from 'tessera-session/svelte'
 *   const sessions = sessionsStore(kit)
 * </script>
 * {#each $sessions as s (s.id)}<button on:click={() => kit.use(s.id)}>{s.subject}</button>{/each}
 * ```
 */
export function sessionsStore(kit: SessionsSource): SessionsStore {
  return {
    subscribe(run) {
      const subscription = kit.sessions$.subscribe(run)
      return () => subscription.unsubscribe()
    },
  }
}
