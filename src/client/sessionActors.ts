/** The machine's actors: the work it invokes (storage reads, sign-in, refresh, sign-out's server side, timers). */
import { fromCallback, fromPromise } from 'xstate'
import { isFresher } from '../../machines/freshness.js'
import { timerDelay } from '../../machines/refreshSchedule.js'
import type {
  DueTimerInput,
  EndSessionInput,
  LoadOutcome,
  RedirectOutcome,
  RefreshOutcome,
  SessionEvent,
  SignInOutcome,
} from '../../machines/session.machine.js'
import type { PendingRedirect, SessionRecord } from '../../machines/sessionRecord.js'
import { isRedirectRequest } from '../authMethod.js'
import { abortAfter } from '../environment/Environment.js'
import { SessionError, toSessionError } from '../SessionError.js'
import { buildSessionRecord } from './buildSessionRecord.js'
import { classifyRefreshError, existingKey, findMethod, methodContext, newKey } from './methodContext.js'
import type { SessionLogicDeps } from './sessionLogic.js'

/** How long a tab whose refresh was superseded looks for the other tab's result before backing off. */
const SUPERSEDED_WAIT_MS = 2000

function signInWithMethod(deps: SessionLogicDeps) {
  return fromPromise<SignInOutcome, { methodId: string; params: unknown }>(async ({ input, signal }) => {
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
        issuedNow: true,
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
  })
}

function completeRedirect(deps: SessionLogicDeps) {
  return fromPromise<RedirectOutcome, { pending: PendingRedirect; url: string }>(
    async ({ input, signal }) => {
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
          issuedNow: true,
          key: key ?? (await fresh.settle()),
        })
        return { kind: 'session', record, now }
      } catch (error) {
        await fresh.discard()
        const failure = toSessionError(error, 'SIGN_IN_FAILED', 'Completing the redirect sign-in failed')
        return { kind: 'failed', error: failure, now: deps.env.now() }
      }
    },
  )
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

function refreshSession(deps: SessionLogicDeps) {
  const run = refreshThroughMethod(deps)
  return fromPromise<RefreshOutcome, { record: SessionRecord }>(async ({ input, signal }) => {
    const failed = (error: SessionError): RefreshOutcome => ({
      ok: false,
      error,
      now: deps.env.now(),
      jitter: deps.env.random(),
    })
    try {
      const outcome = await deps.coordinator.refresh(input.record, run, signal)
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
  })
}

/** Sign-out's server side, after local state is gone: revoke, then the logout redirect, then the key. */
function endSession(deps: SessionLogicDeps) {
  // The work does not listen to the actor's signal: it finishes even after destroy() (bounded).
  return fromPromise<void, EndSessionInput>(({ input }) => {
    const work = endOnServer(deps, input).catch((error: unknown) =>
      deps.reportError(toSessionError(error, 'NETWORK', 'Signing out at the server failed')),
    )
    deps.endings.add(work)
    void work.finally(() => deps.endings.delete(work))
    return work
  })
}

async function endOnServer(deps: SessionLogicDeps, { record, redirect }: EndSessionInput): Promise<void> {
  if (!record) return
  const method = deps.methods.get(record.session.method)
  const bounded = abortAfter(
    deps.env,
    deps.signOutTimeoutMs,
    new SessionError('TIMEOUT', 'Signing out at the server timed out'),
  )
  const ctx = methodContext(deps, bounded.signal, existingKey(deps, record.keyId))
  const within = <T>(work: Promise<T>) =>
    Promise.race([
      work,
      new Promise<never>((_, reject) =>
        bounded.signal.addEventListener('abort', () => reject(bounded.signal.reason), { once: true }),
      ),
    ])
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

/**
 * Deletes one session key, bounded in time; failures are reported, never thrown.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * await deleteKey(rt.deps, 'k1')
 * ```
 */
export async function deleteKey(deps: SessionLogicDeps, keyId: string): Promise<void> {
  if (!deps.keyStore) return
  const bounded = abortAfter(
    deps.env,
    deps.signOutTimeoutMs,
    new SessionError('TIMEOUT', 'Deleting a session key timed out'),
  )
  try {
    await Promise.race([
      deps.keyStore.delete(keyId),
      new Promise<never>((_, reject) =>
        bounded.signal.addEventListener('abort', () => reject(bounded.signal.reason), { once: true }),
      ),
    ])
  } catch (error) {
    deps.reportError(toSessionError(error, 'KEY_UNAVAILABLE', 'Could not delete a session key'))
  } finally {
    bounded.dispose()
  }
}

/** The machine's only timer: fires at an absolute time, re-arming when a clamped or early timer fires. */
function dueTimer(deps: SessionLogicDeps) {
  return fromCallback<SessionEvent, DueTimerInput>(({ input, sendBack }) => {
    let handle: unknown
    const arm = () => {
      handle = deps.env.setTimeout(
        () => {
          const now = deps.env.now()
          if (now >= input.dueAt) sendBack({ type: input.event, now })
          else arm()
        },
        timerDelay(input.dueAt, deps.env.now()),
      )
    }
    arm()
    return () => deps.env.clearTimeout(handle)
  })
}

/**
 * Every actor the session machine invokes, given a world.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 * import { sessionMachine } from '../../machines/session.machine.js'
 * import { sessionEffects } from './sessionEffects.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const logic = sessionMachine.provide({ actors: sessionActors(rt.deps), actions: sessionEffects(rt.deps) })
 * ```
 */
export function sessionActors(deps: SessionLogicDeps) {
  return {
    loadStoredSession: fromPromise<LoadOutcome>(async () => ({
      stored: await deps.store.load(),
      now: deps.env.now(),
    })),
    signInWithMethod: signInWithMethod(deps),
    completeRedirect: completeRedirect(deps),
    refreshSession: refreshSession(deps),
    endSession: endSession(deps),
    dueTimer: dueTimer(deps),
  }
}
