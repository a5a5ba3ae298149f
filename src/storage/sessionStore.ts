/**
 * Reads and writes the session's stored state across one or several storage adapters, with a
 * versioned envelope, timeouts, write ordering, and a memory fallback when a backend fails.
 */
import { EMPTY_STORED_STATE, type StoredSessionState } from '../../machines/sessionRecord.js'
import { parseStoredState, STORED_STATE_VERSION } from '../client/parseStoredState.js'
import type { Environment } from '../environment/Environment.js'
import { type SessionError, toSessionError } from '../SessionError.js'
import { withTimeout } from '../util/withTimeout.js'
import { memoryStorage } from './memoryStorage.js'
import type { StorageAdapter, StorageOption } from './StorageAdapter.js'

type Slot = 'session' | 'refreshToken' | 'idToken'
const SLOTS: readonly Slot[] = ['session', 'refreshToken', 'idToken']

/** Raw values of the three keys; a value may still be pending for an async adapter. */
type RawValues = Record<Slot, string | null>

/**
 * Options of {@link SessionStore}.
 *
 * @example
 * ```ts
 * new SessionStore({ storage: webStorage(localStorage), prefix: 'tessera', appId: 'shop', timeoutMs: 3000, environment, onError })
 * ```
 */
export interface SessionStoreOptions {
  storage: StorageOption
  prefix: string
  appId: string
  timeoutMs: number
  environment: Pick<Environment, 'setTimeout' | 'clearTimeout'>
  onError(error: SessionError): void
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/**
 * The storage key of each slot: `<prefix>:<appId>:session`, `…:refresh_token`, `…:id_token`.
 *
 * @example
 * ```ts
 * storageKeys('tessera', 'shop').session // 'tessera:shop:session'
 * ```
 */
export function storageKeys(prefix: string, appId: string): Record<Slot, string> {
  return {
    session: `${prefix}:${appId}:session`,
    refreshToken: `${prefix}:${appId}:refresh_token`,
    idToken: `${prefix}:${appId}:id_token`,
  }
}

/**
 * Turns the machine's stored state into the values of the three slots. The refresh and ID tokens
 * go to their own slots so an app can keep them in a different storage (a cookie, for example).
 *
 * @example
 * ```ts
 * encodeStoredState(state).session // '{"v":1,"record":{…}}'
 * ```
 */
export function encodeStoredState(state: StoredSessionState): RawValues {
  if (!state.record && !state.expired && !state.pendingRedirect) {
    return { session: null, refreshToken: null, idToken: null }
  }
  const { refreshToken, idToken, ...credentials } = state.record?.credentials ?? { accessToken: '' }
  const record = state.record ? { ...state.record, credentials } : null
  return {
    session: JSON.stringify({
      v: STORED_STATE_VERSION,
      record,
      expired: state.expired,
      pendingRedirect: state.pendingRedirect,
    }),
    refreshToken: refreshToken ?? null,
    idToken: idToken ?? null,
  }
}

/**
 * Reads and writes the session. Never throws: failures are reported through `onError`, reads of
 * bad data yield an empty state, and a backend that fails is replaced by memory for the rest of
 * the client's life.
 *
 * @example
 * ```ts
 * const store = new SessionStore({ storage, prefix: 'tessera', appId: 'shop', timeoutMs: 3000, environment, onError })
 * const first = store.begin()
 * const state = 'state' in first ? first.state : await first.pending
 * ```
 */
export class SessionStore {
  readonly keys: Record<Slot, string>
  private readonly adapters: Record<Slot, StorageAdapter>
  private writes: Promise<void> = Promise.resolve()
  /** Slots whose adapter answered `get` with a promise: their writes are queued. */
  private readonly asyncSlots = new Set<Slot>()

  constructor(private readonly options: SessionStoreOptions) {
    this.keys = storageKeys(options.prefix, options.appId)
    const storage = options.storage
    const split = 'default' in storage ? storage : { default: storage }
    this.adapters = {
      session: split.default,
      refreshToken: split.refreshToken ?? split.default,
      idToken: split.idToken ?? split.default,
    }
  }

  /** The read begin() started, so load() never reads storage a second time. */
  private firstRead: ReturnType<SessionStore['begin']> | undefined

  /** The state from the first read (begun at construction), however the storage answers. */
  async load(): Promise<StoredSessionState> {
    const first = this.firstRead ?? this.begin()
    return 'state' in first ? first.state : first.pending
  }

  /**
   * Starts reading. With synchronous adapters the state is there at once; otherwise a promise
   * bounded by the timeout.
   */
  begin(): { state: StoredSessionState } | { pending: Promise<StoredSessionState> } {
    this.firstRead ??= this.read()
    return this.firstRead
  }

  private read(): { state: StoredSessionState } | { pending: Promise<StoredSessionState> } {
    const raw: Partial<Record<Slot, string | null | PromiseLike<string | null>>> = {}
    try {
      for (const slot of SLOTS) raw[slot] = this.adapters[slot].get(this.keys[slot])
    } catch (error) {
      this.fail(error, 'Reading the session from storage failed', true)
      return { state: EMPTY_STORED_STATE }
    }
    for (const slot of SLOTS) if (isThenable(raw[slot])) this.asyncSlots.add(slot)
    if (this.asyncSlots.size === 0) return { state: this.decode(raw as RawValues) }
    const pending = Promise.all(
      SLOTS.map((slot) =>
        withTimeout(
          Promise.resolve(raw[slot] ?? null),
          this.options.timeoutMs,
          'Storage read timed out',
          this.options.environment,
        ),
      ),
    ).then(
      ([session, refreshToken, idToken]) =>
        this.decode({
          session: session ?? null,
          refreshToken: refreshToken ?? null,
          idToken: idToken ?? null,
        }),
      (error: unknown) => {
        this.fail(error, 'Reading the session from storage failed', true)
        return EMPTY_STORED_STATE
      },
    )
    return { pending }
  }

  /** Writes the state; an empty state removes every key. */
  write(state: StoredSessionState): void {
    const values = encodeStoredState(state)
    this.apply((slot) =>
      values[slot] === null
        ? this.adapters[slot].remove(this.keys[slot])
        : this.adapters[slot].set(this.keys[slot], values[slot] as string),
    )
  }

  /** Removes everything of the session. */
  clear(): void {
    this.write(EMPTY_STORED_STATE)
  }

  /** Resolves when every write issued so far has settled. */
  flush(): Promise<void> {
    return this.writes
  }

  private apply(operation: (slot: Slot) => void | Promise<void>): void {
    // Writes run in order: a slow async write must never land after a newer one.
    const run = (slot: Slot) => {
      try {
        const result = operation(slot)
        if (isThenable(result)) {
          return withTimeout(
            result,
            this.options.timeoutMs,
            'Storage write timed out',
            this.options.environment,
          ).catch((error: unknown) => this.fail(error, 'Writing the session to storage failed'))
        }
      } catch (error) {
        this.fail(error, 'Writing the session to storage failed')
      }
      return undefined
    }
    if (this.asyncSlots.size === 0) {
      for (const slot of SLOTS) run(slot)
      return
    }
    this.writes = this.writes.then(async () => {
      for (const slot of SLOTS) await run(slot)
    })
  }

  private decode(raw: RawValues): StoredSessionState {
    if (raw.session === null) return EMPTY_STORED_STATE
    try {
      const state = parseStoredState(JSON.parse(raw.session))
      if (!state.record) return state
      const credentials = { ...state.record.credentials }
      if (raw.refreshToken !== null) credentials.refreshToken = raw.refreshToken
      if (raw.idToken !== null) credentials.idToken = raw.idToken
      return { ...state, record: { ...state.record, credentials } }
    } catch (error) {
      // Bad or future data: start signed out, but leave it in place (a newer tab may own it).
      this.options.onError(toSessionError(error, 'INVALID_SESSION', 'Stored session data is not readable'))
      return EMPTY_STORED_STATE
    }
  }

  /**
   * Reports a storage failure. A backend that cannot even be read (IndexedDB missing, hung) is
   * replaced by memory so the page keeps working. A failed write (quota) keeps the backend, so a
   * later sign-out still removes what an earlier write left there.
   */
  private fail(error: unknown, message: string, useMemoryFromNowOn = false): void {
    this.options.onError(toSessionError(error, 'STORAGE', message))
    if (!useMemoryFromNowOn) return
    const fallback = memoryStorage()
    for (const slot of SLOTS) this.adapters[slot] = fallback
    this.asyncSlots.clear()
  }
}
