/** The public shape of a session kit (several sessions at once) and of its options. */
import type { Observable } from 'rxjs'
import type { SessionClient, SessionClientOptions } from '../client/SessionClient.js'
import type { SessionError } from '../SessionError.js'
import type { Session, SessionStatus } from '../session.js'
import type { AnyAuthMethod, SignInArgs } from '../signInArgs.js'

/**
 * Options of `createSessionKit`: the client's, for every session. `appId` and `storageKeyPrefix`
 * name the registry (`<prefix>:<appId>:sessions`); each session gets the namespace `<appId>/<id>`
 * (its own storage keys, channel and refresh lock).
 *
 * @example
 * ```ts
 * const options: SessionKitOptions = { appId: 'shop', methods }
 * ```
 */
export interface SessionKitOptions<Methods extends readonly AnyAuthMethod[] = readonly AnyAuthMethod[]>
  extends Omit<SessionClientOptions<Methods>, 'refreshCoordinator'> {
  /**
   * Complete a redirect sign-in when the page loads on a method's callback URL, in the session
   * that started it. Default true in a browser.
   */
  detectRedirectCallback?: boolean
}

/**
 * One session of the kit, as `getSessions()` and `sessions$` list it.
 *
 * @example
 * ```ts
 * kit.getSessions().map((s) => `${s.subject} (${s.method}) ${s.status}${s.active ? ' ✓' : ''}`)
 * ```
 */
export interface SessionSummary {
  /** The kit's id of the session: stable while it lives; `use(id)`, `signOut(id)`, `client(id)`. */
  id: string
  subject: string
  method: string
  /** Its client's lifecycle state (`restoring` until this tab has read it). */
  status: SessionStatus
  /** Unix seconds when its access token expires; null when it holds none (expired). */
  expiresAt: number | null
  /** Unix seconds when it was last signed in, switched to or restored (in any tab). */
  lastUsedAt: number
  /** Unix seconds when it was signed in. */
  createdAt: number
  /** True for the session this tab uses. */
  active: boolean
  email?: string
  name?: string
  address?: string
}

/**
 * What `kit.signIn()` and `kit.handleRedirectCallback()` resolve with.
 *
 * @example
 * ```ts
 * const { id, client, session } = await kit.signIn({ user: 'bob', password: '…' }, { method: 'password' })
 * ```
 */
export interface KitSignIn {
  id: string
  client: SessionClient
  session: Session
}

/**
 * Which session `kit.restore()` restores: by id, by subject (the most recently used of that
 * account), or, when omitted, the most recently used of all.
 *
 * @example
 * ```ts
 * const query: RestoreQuery = { subject: 'ada' }
 * ```
 */
export type RestoreQuery = { id: string } | { subject: string; method?: string } | undefined

/**
 * Several sessions at once (WharfKit's `SessionKit`): each a full {@link SessionClient} with its
 * own actor, key, storage namespace and cross-tab coordination, and a registry of them that
 * storage keeps and every tab shares.
 *
 * @example
 * ```ts
 * import { createSessionKit } from 'tessera-session/kit'
 *
 * const shop = createSessionKit({ appId: 'shop', methods })
 * await shop.signIn({ user: 'ada', password: '…' })
 * await shop.signIn({ user: 'bob', password: '…' }) // a second session: ada's stays
 * const [first] = shop.getSessions()
 * if (first) shop.use(first.id)
 * ```
 */
export interface SessionKit<Methods extends readonly AnyAuthMethod[] = readonly AnyAuthMethod[]> {
  /**
   * Signs in and adds the session (the client's `signIn`). Another account is added beside the
   * others; the same account (method and subject) again replaces its older session, which is
   * signed out. The new session becomes this tab's active one.
   */
  signIn(...args: SignInArgs<Methods>): Promise<KitSignIn>
  /** Completes a redirect sign-in in the session that started it (default: the current location). */
  handleRedirectCallback(url?: string | URL): Promise<KitSignIn>
  /** One summary per session, ordered by sign-in; the same array until something changes. */
  getSessions(): SessionSummary[]
  /** The summaries, current value first. */
  readonly sessions$: Observable<SessionSummary[]>
  /** This tab's active session's client, current value first. */
  readonly active$: Observable<SessionClient | null>
  getActive(): SessionClient | null
  /** The client of a session, or null. */
  client(id: string): SessionClient | null
  /** Makes a session this tab's active one (and marks it used); `NO_SESSION` for an unknown id. */
  use(id: string): SessionClient
  /**
   * The client of the session asked for, once it has left `restoring`, made active; null when
   * there is none (WharfKit's `restore`).
   */
  restore(query?: RestoreQuery): Promise<SessionClient | null>
  /** Every session's client, once each has left `restoring`. */
  restoreAll(): Promise<SessionClient[]>
  /**
   * Signs out one session (its grant revoked, its key deleted, the others untouched), or with no
   * id every session. Never rejects.
   */
  signOut(id?: string): Promise<void>
  /** Trouble with the registry's storage or messages, and every session's `errors$`. */
  readonly errors$: Observable<SessionError>
  /** Resolves once the registry was read (at once with a synchronous storage). */
  ready(): Promise<void>
  /** Stops every session's client and the registry's channel. */
  destroy(): void
}
