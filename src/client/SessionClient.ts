/** The public shape of a session client and of its options. */

import type { Observable } from 'rxjs'
import type { InspectionEvent, Observer } from 'xstate'
import type { AccessGrant, AccessGrantPage, ListAccessOptions, RevokeAccessOptions } from '../accessGrant.js'
import type { IdTokenOptions } from '../authMethod.js'
import type { TokenSet } from '../endpoints/credentialsFromTokenSet.js'
import type { Environment } from '../environment/Environment.js'
import type { KeyStore } from '../keys/SessionKey.js'
import type { SessionError } from '../SessionError.js'
import type { AuthState, Credentials, Session, SessionExpiredEvent, SessionStatus } from '../session.js'
import type { AnyAuthMethod, SignInArgs } from '../signInArgs.js'
import type { StorageOption } from '../storage/StorageAdapter.js'
import type { RefreshCoordinator, SessionSync } from '../sync/SessionSync.js'
import type { SessionForQuery } from './hasSessionFor.js'
import type { SerializeOptions } from './serialization.js'
import type { SessionActor } from './sessionLogic.js'

/**
 * Options of {@link createSessionClient}.
 *
 * @example
 * ```ts
 * const options: SessionClientOptions = { appId: 'shop', methods, refreshSkewSeconds: 120 }
 * ```
 */
export interface SessionClientOptions<Methods extends readonly AnyAuthMethod[] = readonly AnyAuthMethod[]> {
  /** Namespaces storage keys and the cross-tab channel. */
  appId: string
  /**
   * Sign-in methods; the first is the default. Given as an array literal, their ids and parameter
   * types become `signIn`'s: a wrong id, wrong parameters or none where needed do not compile.
   */
  methods: Methods
  /** Default: localStorage in a browser, memory elsewhere. */
  storage?: StorageOption
  /** Default `tessera`. */
  storageKeyPrefix?: string
  /** Refresh this long before expiry (never earlier than halfway through a token's life). Default 60. */
  refreshSkewSeconds?: number
  /** Injected into methods and `client.fetch`. Default: the global fetch, read at call time. */
  fetch?: typeof fetch
  /**
   * Cross-tab sync. Default: BroadcastChannel in browsers, none in Node (a server's clients must
   * not hear each other). `false` turns it off; a `SessionSync` (e.g. `memorySync()`) replaces it.
   */
  sync?: boolean | SessionSync
  /** Who refreshes when several tabs share a session. Default: Web Locks where available. */
  refreshCoordinator?: RefreshCoordinator
  /** The only origins besides the page's own that `client.fetch` sends tokens to. */
  apiOrigins?: string[]
  /** XState inspection observer (for example `createBrowserInspector().inspect`). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void)
  /** Where session keys live. Default: IndexedDB in a browser, memory elsewhere. `false`: no session keys. */
  keyStore?: KeyStore | false
  /** Bound on every async storage call, in ms. Default 3000. */
  storageTimeoutMs?: number
  /** Bound on the method's sign-out call (revocation), in ms. Default 5000. */
  signOutTimeoutMs?: number
  /** A redirect sign-in not completed within this many seconds returns to `signedOut`. Default 600. */
  redirectTimeoutSeconds?: number
  /** How to send the page to a provider. Default `location.assign`. */
  navigate?: (url: string) => void
  /** Complete a redirect sign-in automatically when the page loads on a method's callback URL. Default true in a browser. */
  detectRedirectCallback?: boolean
  /** Clock, timers and randomness, for tests. */
  environment?: Partial<Environment>
}

/**
 * Options of `client.signOut()`.
 *
 * @example
 * ```ts
 * await client.signOut({ redirect: true }) // also end the session at the OpenID provider
 * ```
 */
export interface SignOutOptions {
  /** Navigate to the provider's logout page (RP-initiated logout) when the method offers one. */
  redirect?: boolean
}

/**
 * A session client: one XState actor owning the lifecycle, exposed through sync reads,
 * RxJS streams and promises. Created by {@link createSessionClient}.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 *
 * const client = createSessionClient({ appId: 'shop', methods })
 * client.onAuthStateChange((session) => render(session))
 * await client.signIn({ user: 'ada', password: '…' })
 * ```
 */
export interface SessionClient<Methods extends readonly AnyAuthMethod[] = readonly AnyAuthMethod[]> {
  /** The current session, or null. Synchronous; checks expiry on every read. */
  getSession(): Session | null
  /** The lifecycle state name. */
  getStatus(): SessionStatus
  /** `{ status, session }`, the same object until either changes (safe for `useSyncExternalStore`). */
  getAuthState(): AuthState
  /** True when the session's access token has run out (or the session expired). */
  readonly isExpired: boolean
  /** Seconds until the access token expires; 0 when there is none or it has expired. */
  readonly expiresInSecs: number
  /** Resources or capabilities the session is authorized for. */
  readonly authorizations: string[]
  /**
   * True when there is a usable session (valid, or refreshable) for this account whose capability
   * (or, without one, whose `authorizations`) covers every requested resource (DIDSession's
   * `hasSessionFor`): when false, `signIn` will need the user. `account` is a subject, a wallet
   * address, an `eip155:<chain>:<address>` account id or a `did:pkh`; only addresses compare
   * case-insensitively. A wallet session whose capability expired has no session for anyone.
   * `authorizations` is the older name of `resources`.
   */
  hasSessionFor(account: string, options?: SessionForQuery): boolean

  readonly session$: Observable<Session | null>
  readonly authState$: Observable<AuthState>
  /** Replays the latest expired event to late subscribers until a new session or sign-out clears it. */
  readonly sessionExpired$: Observable<SessionExpiredEvent>
  /**
   * Non-fatal trouble: storage, transient refresh failures, listener errors. Errors raised while
   * the client was constructed (unreadable stored data) are replayed to every subscriber.
   */
  readonly errors$: Observable<SessionError>

  /** Calls `listener(session, state)` at once and on every change; returns unsubscribe. */
  onAuthStateChange(listener: (session: Session | null, state: AuthState) => void): () => void
  /** Calls `listener` with the replayed expired event (if any) and every new one; returns unsubscribe. */
  onSessionExpired(listener: (event: SessionExpiredEvent) => void): () => void

  /**
   * Signs in with the default (first) method, or with `{ method: id }` another one. The arguments
   * are typed from the client's methods (see {@link SignInArgs}).
   */
  signIn(...args: SignInArgs<Methods>): Promise<Session>
  /**
   * Adopts tokens obtained elsewhere: tessera's `Credentials`, or Torus's token set in its
   * snake_case shape (`{ session_id, access_token, refresh_token, id_token }`).
   */
  setTokens(credentials: Credentials | TokenSet, options?: { method?: string }): Promise<Session>
  /** Completes a redirect sign-in from its callback URL (default: the current location). */
  handleRedirectCallback(url?: string | URL, options?: { method?: string }): Promise<Session>
  /** Single-flight refresh; resolves with the new access token. */
  refresh(): Promise<string>
  /** The access token, refreshed first when inside the skew; null when there is no session. */
  getAccessToken(): Promise<string | null>
  /**
   * `fetch` with the session's authorization (to the page's origin and `apiOrigins` only), one
   * shared refresh and one retry on 401. `timeoutMs` bounds the wait, the request and its retry;
   * `authenticated: false` sends no token and never retries, even to an API origin.
   */
  fetch(
    input: RequestInfo | URL,
    init?: RequestInit & { timeoutMs?: number; authenticated?: boolean },
  ): Promise<Response>
  /**
   * The session's refresh token, or null. Synchronous. Most apps should never read it: the client
   * refreshes on its own, and a refresh token in app code can leak through logs and error
   * reports. Read it to hand the session to a native or server component that refreshes itself.
   */
  getRefreshToken(): string | null
  /**
   * The identity provider's own ID token (OIDC `id_token`, Torus `id_token`), or null. Not
   * {@link SessionClient.getIdToken}, which issues a short-lived token for your own backend.
   */
  getProviderIdToken(): string | null
  /** The server's session id (Torus's `session_id`), or null. Not `session.id`, tessera's own. */
  getSessionId(): string | null
  /** Never rejects: local state is cleared at once, the server is told in the background. */
  signOut(options?: SignOutOptions): Promise<void>
  /** A short-lived ES256 ID token: the method's, else one signed by the session key. */
  getIdToken(options?: IdTokenOptions): Promise<string>
  /**
   * The session as a string, for non-browser persistence; null when signed out. When the session
   * has a key the string is signed by it (an edit is refused by `restore()`); with
   * `{ includeKey: true }` it also carries the private key, so another process can sign with it.
   */
  serialize(options?: SerializeOptions): Promise<string | null>
  /**
   * Adopts a session from {@link SessionClient.serialize}'s string, after checking its signature with
   * the session key kept here or the one the string carries (then kept in this client's key store).
   */
  restore(serialized: string): Promise<Session>
  /**
   * Every credential with access to the signed-in account (this browser's has `isCaller`), all
   * pages read. `NOT_SUPPORTED` when the session's method offers no device access.
   */
  listAccess(options?: ListAccessOptions): Promise<AccessGrant[]>
  /** The same, one page per request, read lazily; a `break` stops it. */
  listAccessPages(options?: ListAccessOptions): AsyncIterable<AccessGrantPage>
  /**
   * Cuts one credential off at the provider: its next refresh is refused. When it is this
   * browser's own, the session is signed out everywhere once the provider confirmed.
   */
  revokeAccess(options: RevokeAccessOptions): Promise<void>
  /** Resolves once the client has left `restoring`. */
  ready(): Promise<void>
  /** Stops timers, channels, listeners and the actor. */
  destroy(): void
  /** The XState actor, for inspection. */
  readonly actor: SessionActor
}
