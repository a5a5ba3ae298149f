/**
 * Reads and writes the session's stored state across one or several storage adapters: a
 * versioned envelope, tokens split into their own keys stamped with the record's generation (so
 * a record is never paired with another generation's token), ordered writes with timeouts, and a
 * guard that never overwrites a newer session another tab stored meanwhile.
 */
import { parseStoredState, STORED_STATE_VERSION } from '../../machines/parseSessionData.js'
import {
  EMPTY_STORED_STATE,
  type SessionRecord,
  type SessionRef,
  type StoredSessionState,
} from '../../machines/sessionRecord.js'
import type { Environment } from '../environment/Environment.js'
import { SessionError, toSessionError } from '../SessionError.js'
import type { Credentials } from '../session.js'
import { withTimeout } from '../util/withTimeout.js'
import type { StorageAdapter, StorageOption } from './StorageAdapter.js'
import { supersedes } from './supersedes.js'

/**
 * The credentials that can live under keys of their own, each possibly in another storage. The
 * refresh and ID tokens always do (an app may move them to a cookie); the access token and a
 * server session id only when the app names a storage for them.
 */
type SecretSlot = 'refreshToken' | 'idToken' | 'accessToken' | 'sessionId'
type Slot = 'session' | SecretSlot
const ALWAYS_SPLIT: readonly SecretSlot[] = ['refreshToken', 'idToken']

type Raw = Partial<Record<Slot, string | null>>
type MaybeAsync<T> = T | PromiseLike<T>

/**
 * Options of {@link SessionStore}.
 *
 * @example
 * ```ts
 * import { webStorage } from 'tessera-session'
 * import { defaultEnvironment } from '../environment/Environment.js'
 *
 * const options: SessionStoreOptions = {
 *   storage: webStorage(localStorage), prefix: 'tessera', appId: 'shop', timeoutMs: 3000,
 *   environment: defaultEnvironment(), onError: (error) => console.warn(error.code),
 * }
 * ```
 */
export interface SessionStoreOptions {
  storage: StorageOption
  prefix: string
  appId: string
  timeoutMs: number
  environment: Pick<Environment, 'setTimeout' | 'clearTimeout'>
  onError(error: SessionError): void
  /**
   * A write was refused because storage holds news this tab has not heard (another tab's newer
   * session, or its sign-out): the client hands it to the machine, as if the message had come.
   */
  onNewer?(stored: StoredSessionState): void
  /** A write replaced a stored session whose key this store never loaded or wrote (another tab's). */
  onDisplaced?(keyId: string): void
}

function isThenable<T>(value: MaybeAsync<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/** Runs `step` on `value` now when it is there, later when it is a promise. */
function then<T, U>(value: MaybeAsync<T>, step: (v: T) => MaybeAsync<U>): MaybeAsync<U> {
  return isThenable(value) ? Promise.resolve(value).then(step) : step(value)
}

/**
 * The storage key of each slot: `<prefix>:<appId>:session`, `…:refresh_token`, `…:id_token`,
 * `…:access_token`, `…:session_id`.
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
    accessToken: `${prefix}:${appId}:access_token`,
    sessionId: `${prefix}:${appId}:session_id`,
  }
}

/** Ties a split-off token to its record: `<session id>:<generation>`. */
const stampOf = (record: SessionRecord) => `${record.session.id}:${record.generation}`

/**
 * Turns the machine's stored state into the values of the slots. Tokens go to their own keys
 * (an app may keep them in another storage, a cookie for example), each stamped with the
 * record's generation.
 *
 * @example
 * ```ts
 * import type { StoredSessionState } from '../../machines/sessionRecord.js'
 *
 * declare const state: StoredSessionState // a signed-in state
 * encodeStoredState(state).session // '{"v":2,"record":{…}}', without the refresh and ID tokens
 * ```
 */
export function encodeStoredState(
  state: StoredSessionState,
  split: readonly SecretSlot[] = ALWAYS_SPLIT,
): Raw {
  const values: Raw = { session: null }
  for (const slot of split) values[slot] = null
  const empty = !state.record && !state.expired && !state.pendingRedirect && !state.signedOut
  if (empty) return values
  const record = state.record
  let stored: unknown = null
  if (record) {
    const credentials: Partial<Credentials> = { ...record.credentials }
    const session: Partial<SessionRecord['session']> = { ...record.session }
    for (const slot of split) {
      const value = credentials[slot]
      delete credentials[slot]
      // The access token is in the session too (the app-facing view): it leaves both.
      if (slot === 'accessToken') delete session.accessToken
      if (value !== undefined) values[slot] = JSON.stringify({ stamp: stampOf(record), value })
    }
    stored = { ...record, session, credentials }
  }
  values.session = JSON.stringify({
    v: STORED_STATE_VERSION,
    record: stored,
    expired: state.expired,
    pendingRedirect: state.pendingRedirect,
    signedOut: state.signedOut,
  })
  return values
}

/**
 * Reads and writes the session. Never throws: failures are reported through `onError` (once per
 * slot until it works again), unreadable data reads as absent, and a storage that failed is still
 * written to and cleared later (sign-out must reach it).
 *
 * @example
 * ```ts
 * import { memoryStorage } from 'tessera-session'
 * import { defaultEnvironment } from '../environment/Environment.js'
 *
 * const store = new SessionStore({
 *   storage: memoryStorage(), prefix: 'tessera', appId: 'shop', timeoutMs: 3000,
 *   environment: defaultEnvironment(), onError: (error) => console.warn(error.code),
 * })
 * const state = await store.load()
 * ```
 */
export class SessionStore {
  readonly keys: Record<Slot, string>
  private readonly adapters: Record<Slot, StorageAdapter>
  /** The tail of the writes in flight on async storages; sync writes happen at once. */
  private writes: Promise<void> | null = null
  private readonly failing = new Set<string>()
  private first: MaybeAsync<StoredSessionState> | undefined
  /** Keys of the records this store loaded or wrote: this tab's machine looks after those. */
  private readonly known = new Set<string>()

  /** The split-off slots of this store, read and written besides the session record. */
  private readonly split: readonly SecretSlot[]

  constructor(private readonly options: SessionStoreOptions) {
    this.keys = storageKeys(options.prefix, options.appId)
    const given = 'default' in options.storage ? options.storage : { default: options.storage }
    this.split = [
      ...ALWAYS_SPLIT,
      ...(['accessToken', 'sessionId'] as const).filter((slot) => given[slot] !== undefined),
    ]
    this.adapters = {
      session: given.default,
      refreshToken: given.refreshToken ?? given.default,
      idToken: given.idToken ?? given.default,
      accessToken: given.accessToken ?? given.default,
      sessionId: given.sessionId ?? given.default,
    }
  }

  /**
   * The state at construction, read once: synchronously with synchronous storages, so the very
   * first snapshot is the real one.
   */
  load(): MaybeAsync<StoredSessionState> {
    this.first ??= then(this.read(), (state) => {
      this.know(state.record?.keyId)
      return state
    })
    return this.first
  }

  /**
   * Reads the stored state now. `quiet` leaves unreadable data unreported (the write guard reads
   * before every write; the first read already said what was wrong).
   */
  read(quiet = false): MaybeAsync<StoredSessionState> {
    const slots: Slot[] = ['session', ...this.split]
    const values = slots.map((slot) => this.readSlot(slot))
    const decode = (read: Array<string | null>) =>
      this.decode(Object.fromEntries(slots.map((slot, i) => [slot, read[i] ?? null])) as Raw, quiet)
    if (values.some(isThenable)) return Promise.all(values).then(decode)
    return decode(values as Array<string | null>)
  }

  /**
   * Writes the state, unless another tab stored a newer session meanwhile (see {@link supersedes});
   * `basis` is the session this tab's state is about. Token slots first, the record last, so a
   * reload never pairs a record with another generation's token.
   */
  write(state: StoredSessionState, basis: SessionRef | null): void {
    const values = encodeStoredState(state, this.split)
    const run = () =>
      then(this.read(true), (stored) => {
        if (supersedes(stored, state, basis)) return this.options.onNewer?.(stored)
        this.know(state.record?.keyId)
        const written = this.writeSlots(values)
        // Another tab's session, displaced before that tab heard it lost: nobody else will free its key.
        const displaced = stored.record?.keyId
        if (displaced && !this.known.has(displaced) && displaced !== state.pendingRedirect?.keyId)
          this.options.onDisplaced?.(displaced)
        return written
      })
    if (this.writes) {
      this.writes = this.writes.then(run).then(() => undefined)
      return
    }
    const result = run()
    if (isThenable(result)) {
      const tail: Promise<void> = Promise.resolve(result).then(() => {
        if (this.writes === tail) this.writes = null
      })
      this.writes = tail
    }
  }

  private know(keyId: string | undefined): void {
    if (!keyId) return
    this.known.add(keyId)
    // Bounded: the oldest goes (a Set iterates in insertion order).
    if (this.known.size > 32) this.known.delete(this.known.values().next().value as string)
  }

  /** Resolves when every write issued so far has settled. */
  flush(): Promise<void> {
    return this.writes ?? Promise.resolve()
  }

  private writeSlots(values: Raw): MaybeAsync<void> {
    const order: Slot[] = [...this.split, 'session']
    const step = (i: number): MaybeAsync<void> => {
      const slot = order[i]
      if (!slot) return
      const value = values[slot] ?? null
      const written =
        value === null
          ? this.mutateSlot(slot, 'clear', null)
          : then(this.mutateSlot(slot, 'write', value), (ok) =>
              // A token that could not be written must not stay behind with an older generation.
              ok ? ok : this.mutateSlot(slot, 'clear', null),
            )
      return then(written, () => step(i + 1))
    }
    return step(0)
  }

  /** Reads one slot, bounded in time; a failure is reported and reads as absent. */
  private readSlot(slot: Slot): MaybeAsync<string | null> {
    return this.bounded(
      slot,
      'read',
      (a) => a.get(this.keys[slot]),
      (value) => value ?? null,
      null,
    )
  }

  /**
   * Writes or removes one slot, bounded in time; true when it worked. A removal that fails is tried
   * once more: sign-out must reach every storage it can.
   */
  private mutateSlot(slot: Slot, what: 'write' | 'clear', value: string | null): MaybeAsync<boolean> {
    const key = this.keys[slot]
    const once = () =>
      this.bounded<void, boolean>(
        slot,
        what,
        (a) => (value === null ? a.remove(key) : a.set(key, value)),
        () => true,
        false,
      )
    return what === 'clear' ? then(once(), (ok) => ok || once()) : once()
  }

  private bounded<T, U>(
    slot: Slot,
    what: 'read' | 'write' | 'clear',
    operation: (adapter: StorageAdapter) => MaybeAsync<T>,
    onValue: (value: T) => U,
    fallback: U,
  ): MaybeAsync<U> {
    const ok = (value: T) => {
      this.failing.delete(`${slot}:${what}`)
      return onValue(value)
    }
    const failed = (error: unknown) => {
      this.report(slot, what, error)
      return fallback
    }
    try {
      const result = operation(this.adapters[slot])
      if (!isThenable(result)) return ok(result)
      const bounded = withTimeout(
        result,
        this.options.timeoutMs,
        `Storage ${what} timed out`,
        this.options.environment,
      )
      return bounded.then(ok, failed)
    } catch (error) {
      return failed(error)
    }
  }

  private report(slot: Slot, what: string, error: unknown): void {
    const id = `${slot}:${what}`
    if (this.failing.has(id)) return
    this.failing.add(id)
    const message = `Storage ${what} of the ${slot === 'session' ? 'session' : slot} failed; the session goes on in memory`
    this.options.onError(toSessionError(error, 'STORAGE', message))
  }

  private decode(raw: Raw, quiet: boolean): StoredSessionState {
    if (!raw.session) return EMPTY_STORED_STATE
    let parsed: ReturnType<typeof parseStoredState>
    try {
      // Split-off values go back into the record before the one parser checks it whole.
      const envelope = JSON.parse(raw.session) as { v?: unknown; record?: Record<string, unknown> | null }
      if (envelope?.record && typeof envelope.record === 'object')
        this.rejoin(envelope.record, envelope.v, raw, quiet)
      parsed = parseStoredState(envelope)
    } catch (error) {
      // Bad or future data: start signed out, but leave it in place (a newer tab may own it).
      if (!quiet)
        this.options.onError(toSessionError(error, 'INVALID_SESSION', 'Stored session data is not readable'))
      return EMPTY_STORED_STATE
    }
    const { version: _version, ...state } = parsed
    return state
  }

  /** Puts the split-off values that belong to this very record (and generation) back into it. */
  private rejoin(record: Record<string, unknown>, version: unknown, raw: Raw, quiet: boolean): void {
    const session = record.session as Record<string, unknown> | undefined
    const credentials = record.credentials as Record<string, unknown> | undefined
    if (!session || !credentials) return
    const stamp = `${String(session.id)}:${String(record.generation ?? 0)}`
    for (const slot of this.split) {
      const value = this.secret(raw[slot] ?? null, version, stamp, slot, quiet)
      if (value === null) continue
      credentials[slot] = value
      if (slot === 'accessToken') session.accessToken = value
    }
  }

  /** A split-off token, only when it belongs to this very record and generation. */
  private secret(
    raw: string | null,
    version: unknown,
    expected: string,
    slot: SecretSlot,
    quiet: boolean,
  ): string | null {
    if (raw === null) return null
    if (version === 1) return raw
    try {
      const { stamp, value } = JSON.parse(raw) as { stamp?: unknown; value?: unknown }
      if (stamp === expected && typeof value === 'string' && value.length > 0) return value
    } catch {
      // Not ours, or written by hand: treated as missing below.
    }
    if (!quiet) {
      const message = `The stored ${slot} does not belong to the stored session; ignored`
      this.options.onError(new SessionError('INVALID_SESSION', message))
    }
    return null
  }
}
