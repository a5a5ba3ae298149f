/** `tessera-session/react`: the session as React state, through `useSyncExternalStore`. */
import { useCallback, useSyncExternalStore } from 'react'
import type { SessionSummary } from '../kit/SessionKit.js'
import type { AuthState, Session } from '../session.js'
import type { AuthStateSource } from './AuthStateSource.js'
import type { SessionsSource } from './SessionsSource.js'

// What the server renders and what hydration renders on the client. It must be the same value on
// both sides, so it cannot be the client's live state: the server has no access to the browser's
// storage, and in the browser the live state may already hold a session, or change while other
// parts of the tree hydrate (better-auth #960/#10972, nanostores/react #38). `restoring` is the
// honest answer ("not known yet"). Right after hydration React compares it with the live state and
// re-renders; client-only renders (`createRoot`) never see it and show the live state at once.
const notKnownYet: AuthState = Object.freeze({ status: 'restoring', session: null })
const getServerSnapshot = () => notKnownYet

/**
 * The current `{ status, session }`, re-rendering on every change.
 *
 * A client-side render shows the live state from the first render (no loading flash). Server
 * rendering, and hydration of that HTML, show `{ status: 'restoring', session: null }`, the state
 * both sides can agree on whatever the browser has stored; the live state follows immediately after
 * hydration. Render your `restoring` UI (a placeholder) for it.
 *
 * @example
 * ```tsx
 * function Header() {
 *   const { status, session } = useAuthState(client)
 *   if (status === 'restoring') return <span aria-busy="true" />
 *   if (status !== 'active' && status !== 'refreshing') return <button onClick={() => client.signIn()}>Sign in</button>
 *   return <span>{session?.email}</span>
 * }
 * ```
 */
export function useAuthState(client: AuthStateSource): AuthState {
  // Stable per client, so React subscribes once per mounted component, not once per render.
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = client.authState$.subscribe(onChange)
      return () => subscription.unsubscribe()
    },
    [client],
  )
  return useSyncExternalStore(subscribe, () => client.getAuthState(), getServerSnapshot)
}

/**
 * The current session, or null (also while the state is not known yet: see {@link useAuthState}).
 *
 * @example
 * ```tsx
 * function Avatar() {
 *   const session = useSession(client)
 *   return session ? <img alt={session.subject} src={`/avatars/${session.subject}`} /> : null
 * }
 * ```
 */
export function useSession(client: AuthStateSource): Session | null {
  return useAuthState(client).session
}

// The server knows no browser's sessions: it renders none, and so does hydration; the live list
// follows right after (as `useAuthState` does with `restoring`).
const noSessionsYet: SessionSummary[] = Object.freeze([]) as unknown as SessionSummary[]
const getServerSessions = () => noSessionsYet

/**
 * A session kit's sessions (`tessera-session/kit`), re-rendering when one is added, removed,
 * switched to or changes status. Server rendering and hydration show an empty list.
 *
 * @example
 * ```tsx
 * function Accounts() {
 *   const sessions = useSessions(kit)
 *   return (
 *     <ul>
 *       {sessions.map((s) => (
 *         <li key={s.id} aria-current={s.active}>
 *           <button onClick={() => kit.use(s.id)}>{s.subject}</button> {s.status}
 *         </li>
 *       ))}
 *     </ul>
 *   )
 * }
 * ```
 */
export function useSessions(kit: SessionsSource): SessionSummary[] {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = kit.sessions$.subscribe(onChange)
      return () => subscription.unsubscribe()
    },
    [kit],
  )
  return useSyncExternalStore(subscribe, () => kit.getSessions(), getServerSessions)
}
