/**
 * The work behind the session machine's actors: a method's sign-in, the redirect's completion,
 * a coordinated refresh, sign-out's server side. Loaded on first use (see sessionActors.ts), so a
 * page that only reads its session never downloads it.
 */
import { isFresher } from '../../machines/freshness.js'
import type {
  EndSessionInput,
  RedirectOutcome,
  RefreshOutcome,
  SignInOutcome,
} from '../../machines/session.machine.js'
import type { PendingRedirect, SessionRecord } from '../../machines/sessionRecord.js'
import { isRedirectRequest } from '../authMethod.js'
import { abortAfter, untilAborted } from '../environment/Environment.js'
import type { SessionKey } from '../keys/SessionKey.js'
import { SessionError, toSessionError } from '../SessionError.js'
import { buildSessionRecord } from './buildSessionRecord.js'
import { deleteKey } from './deleteKey.js'
import { existingKey, findMethod, methodContext } from './methodContext.js'
import type { SessionLogicDeps } from './sessionLogic.js'

/**
 * A key for a new session, made lazily and at most once per sign-in; `discard()` deletes it when
 * the sign-in does not end in a session.
 */
function newKey(deps: SessionLogicDeps) {
  let made: Promise<SessionKey> | undefined
  return {
    get: (): Promise<SessionKey> => {
      if (!deps.keyStore)
        return Promise.reject(new SessionError('KEY_UNAVAILABLE', 'Session keys are turned off'))
      made ??= deps.keyStore.create()
      return made
    },
    /** The key if one was asked for, else a new one when a key store exists; null when keys are unavailable. */
    async settle(): Promise<SessionKey | null> {
      if (!deps.keyStore) return null
      try {
        return await this.get()
      } catch (error) {
        deps.reportError(toSessionError(error, 'KEY_UNAVAILABLE', 'Could not make a session key'))
        return null
      }
    },
    async discard(): Promise<void> {
      const key = made ? await made.catch(() => null) : null
      if (key) await deps.keyStore?.delete(key.id).catch(() => undefined)
    },
  }
}

/**
 * Classifies anything a method threw during refresh: rejections stay `SESSION_EXPIRED`, a failed
 * `fetch` (TypeError) is `NETWORK`, and the rest is `REFRESH_FAILED`.
 */
function classifyRefreshError(error: unknown): SessionError {
  if (error instanceof SessionError) return error
  if (error instanceof TypeError)
    return new SessionError('NETWORK', 'The refresh request could not be sent', { cause: error })
  return new SessionError('REFRESH_FAILED', 'The refresh failed', { cause: error })
}

/** How long a tab whose refresh was superseded looks for the other tab's result before backing off. */
const SUPERSEDED_WAIT_MS = 2000

/**
 * A method's sign-in, as the `signInWithMethod` actor runs it: never rejects.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const { deps } = createClientRuntime({ appId: 'shop', methods })
 * const outcome = await signIn(deps, { methodId: 'password', params: { user: 'ada' } }, new AbortController().signal)
 * ```
 */
export async function signIn(
  deps: SessionLogicDeps,
  input: { methodId: string; params: unknown },
  signal: AbortSignal,
): Promise<SignInOutcome> {
  {
    const key = newKey(deps)
    try {
      const method = findMethod(deps, input.methodId)
      const result = await method.signIn(input.params, methodContext(deps, signal, key.get))
      if (isRedirectRequest(result)) {
        const now = deps.env.now()
        const made = await key.settle()
        const pendingRedirect: PendingRedirect = {
          methodId: method.id,
          startedAt: now,
          expiresAt: now + deps.redirectTimeoutMs,
          ...(made ? { keyId: made.id } : {}),
          ...(typeof result.state === 'string' ? { state: result.state } : {}),
        }
        if (signal.aborted) await key.discard()
        return { kind: 'redirect', url: String(result.url), pendingRedirect }
      }
      const now = deps.env.now()
      const record = buildSessionRecord(result, {
        methodId: method.id,
        refreshable: typeof method.refresh === 'function',
        now,
        key: await key.settle(),
      })
      // A cancelled attempt's session is never taken: its key goes with it.
      if (signal.aborted) await key.discard()
      return { kind: 'session', record, now }
    } catch (error) {
      await key.discard()
      const failure = toSessionError(error, 'SIGN_IN_FAILED', `Sign-in with "${input.methodId}" failed`)
      return { kind: 'failed', error: failure, now: deps.env.now() }
    }
  }
}

/**
 * The redirect's completion, as the `completeRedirect` actor runs it: never rejects.
 *
 * @example
 * ```ts
 * import type { PendingRedirect } from '../../machines/sessionRecord.js'
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * declare const pending: PendingRedirect
 * const { deps } = createClientRuntime({ appId: 'shop', methods })
 * const outcome = await completeRedirect(deps, { pending, url: location.href }, new AbortController().signal)
 * ```
 */
export async function completeRedirect(
  deps: SessionLogicDeps,
  input: { pending: PendingRedirect; url: string },
  signal: AbortSignal,
): Promise<RedirectOutcome> {
  const fresh = newKey(deps)
  try {
    const method = findMethod(deps, input.pending.methodId)
    if (!method.completeRedirect) {
      throw new SessionError('NOT_SUPPORTED', `Method "${method.id}" has no redirect sign-in`)
    }
    // The key made before leaving the page is the one the provider bound the tokens to.
    const key = input.pending.keyId && deps.keyStore ? await deps.keyStore.get(input.pending.keyId) : null
    const sessionKey = key ? () => Promise.resolve(key) : fresh.get
    const credentials = await method.completeRedirect(
      new URL(input.url),
      methodContext(deps, signal, sessionKey),
    )
    const now = deps.env.now()
    const record = buildSessionRecord(credentials, {
      methodId: method.id,
      refreshable: typeof method.refresh === 'function',
      now,
      key: key ?? (await fresh.settle()),
    })
    return { kind: 'session', record, now }
  } catch (error) {
    await fresh.discard()
    const failure = toSessionError(error, 'SIGN_IN_FAILED', 'Completing the redirect sign-in failed')
    return { kind: 'failed', error: failure, now: deps.env.now() }
  }
}

/** One refresh request through the method, as the coordinator runs it. */
function refreshThroughMethod(deps: SessionLogicDeps) {
  return async (record: SessionRecord, signal: AbortSignal): Promise<SessionRecord> => {
    const method = findMethod(deps, record.session.method)
    if (!method.refresh) throw new SessionError('NOT_SUPPORTED', `Method "${method.id}" cannot refresh`)
    const credentials = await method.refresh(
      record.credentials,
      methodContext(deps, signal, existingKey(deps, record.keyId)),
    )
    return buildSessionRecord(credentials, {
      methodId: method.id,
      refreshable: true,
      now: deps.env.now(),
      issuedNow: true,
      previous: record,
    })
  }
}

/**
 * Another tab refreshed past `record`, so its refresh token may be spent: take the newer record
 * from storage when it is there (its broadcast, when it comes, stops this actor first).
 */
async function newerFromStorage(deps: SessionLogicDeps, record: SessionRecord, signal: AbortSignal) {
  const deadline = deps.env.now() + SUPERSEDED_WAIT_MS
  while (!signal.aborted) {
    const stored = (await deps.store.read()).record
    if (stored && stored.session.id === record.session.id && isFresher(stored, record)) return stored
    if (deps.env.now() >= deadline) return null
    const pause = abortAfter(deps.env, 250, null, signal)
    await new Promise((resolve) => pause.signal.addEventListener('abort', resolve, { once: true }))
    pause.dispose()
  }
  return null
}

/**
 * A coordinated refresh, as the `refreshSession` actor runs it: never rejects.
 *
 * @example
 * ```ts
 * import type { SessionRecord } from '../../machines/sessionRecord.js'
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * declare const record: SessionRecord
 * const { deps } = createClientRuntime({ appId: 'shop', methods })
 * const outcome = await refreshSession(deps, { record }, new AbortController().signal)
 * ```
 */
export async function refreshSession(
  deps: SessionLogicDeps,
  input: { record: SessionRecord },
  signal: AbortSignal,
): Promise<RefreshOutcome> {
  const run = refreshThroughMethod(deps)
  {
    const failed = (error: SessionError): RefreshOutcome => ({
      ok: false,
      error,
      now: deps.env.now(),
      jitter: deps.env.random(),
    })
    try {
      const coordinator = await deps.coordinator()
      const outcome = await coordinator.refresh(input.record, run, signal)
      if (outcome.kind === 'refreshed') return { ok: true, record: outcome.record, now: deps.env.now() }
      const newer = await newerFromStorage(deps, input.record, signal)
      if (newer) return { ok: true, record: newer, now: deps.env.now() }
      return failed(
        new SessionError(
          'REFRESH_FAILED',
          'Another tab refreshed this session; its result has not arrived yet',
        ),
      )
    } catch (error) {
      return failed(classifyRefreshError(error))
    }
  }
}

/**
 * Sign-out's server side, after local state is gone: revoke, then the logout redirect, then the key.
 *
 * @example
 * ```ts
 * import type { SessionRecord } from '../../machines/sessionRecord.js'
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * declare const record: SessionRecord
 * const { deps } = createClientRuntime({ appId: 'shop', methods })
 * await endOnServer(deps, { record, redirect: true })
 * ```
 */
export async function endOnServer(
  deps: SessionLogicDeps,
  { record, redirect }: EndSessionInput,
): Promise<void> {
  if (!record) return
  const method = deps.methods.get(record.session.method)
  const bounded = abortAfter(
    deps.env,
    deps.signOutTimeoutMs,
    new SessionError('TIMEOUT', 'Signing out at the server timed out'),
  )
  const ctx = methodContext(deps, bounded.signal, existingKey(deps, record.keyId))
  const within = <T>(work: Promise<T>) => untilAborted(work, bounded.signal)
  const revoke = method?.signOut
    ? within(method.signOut(record.credentials, ctx)).catch((error: unknown) =>
        deps.reportError(toSessionError(error, 'NETWORK', 'The server could not be told about the sign-out')),
      )
    : Promise.resolve()
  const logoutUrl =
    redirect && method?.endSessionUrl
      ? within(method.endSessionUrl(record.credentials, ctx)).catch((error: unknown) => {
          deps.reportError(toSessionError(error, 'NETWORK', 'Could not build the logout URL'))
          return null
        })
      : Promise.resolve(null)
  const [, url] = await Promise.all([revoke, logoutUrl])
  bounded.dispose()
  // The key goes last: revocation may have needed it for a DPoP proof.
  if (record.keyId) await deleteKey(deps, record.keyId)
  if (url) deps.navigate(url)
}
