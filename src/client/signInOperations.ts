/** `signIn`, `setTokens`, `restore` and `handleRedirectCallback`: each an attempt the machine settles by its id. */
import { waitFor } from 'xstate'
import { parseSessionRecord } from '../../machines/parseSessionData.js'
import type { SessionEvent } from '../../machines/session.machine.js'
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { statusOf } from '../../machines/sessionSelectors.js'
import type { TokenSet } from '../endpoints/credentialsFromTokenSet.js'
import { loadWork } from '../loadWork.js'
import { SessionError } from '../SessionError.js'
import type { Credentials, Session } from '../session.js'
import { awaitOutcome } from './awaitOutcome.js'
import type { ClientRuntime } from './clientRuntime.js'
import { findMethod } from './methodContext.js'
import type { SerializationDeps } from './serialization.js'

/**
 * Resolves once the client has left `restoring` (at once with a synchronous storage).
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * await ready(rt)
 * ```
 */
export async function ready(rt: ClientRuntime): Promise<void> {
  // Most calls come after restoring: no subscription for them (a storm of reads stays cheap).
  if (statusOf(rt.actor.getSnapshot()) !== 'restoring') return
  await waitFor(rt.actor, (s) => statusOf(s) !== 'restoring', { signal: rt.lifetime })
}

/**
 * Sends an event that starts attempt `attemptId` and waits for the machine to settle that very
 * attempt: its session, its error, or ABORTED when something else replaced it.
 */
function attempt(rt: ClientRuntime, event: SessionEvent & { attemptId: string }): Promise<Session> {
  const id = event.attemptId
  let seen = false
  return awaitOutcome<Session>(rt.actor, rt.lifetime, () => rt.actor.send(event), {
    on: {
      'signIn.settled': (e) => (e.attemptId === id ? { value: e.session } : undefined),
      'signIn.failed': (e) => (e.attemptId === id ? { error: e.error } : undefined),
    },
    snapshot: (s) => {
      if (s.context.attempt === id) seen = true
      else if (seen)
        return { error: new SessionError('ABORTED', 'A newer sign-in or a sign-out replaced this one') }
      return undefined
    },
  })
}

/**
 * The client's sign-in operations.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const { signIn } = signInOperations(rt)
 * await signIn({ user: 'ada', password: '…' }, { method: 'password' })
 * ```
 */
export function signInOperations(rt: ClientRuntime) {
  const { deps } = rt
  const live = () => {
    if (rt.lifetime.aborted) throw new SessionError('DESTROYED', 'The client was destroyed')
  }
  const defaultMethodId = (requested: string | undefined) => {
    const id = requested ?? rt.options.methods[0]?.id
    if (!id) throw new SessionError('METHOD_NOT_FOUND', 'No sign-in method is configured')
    findMethod(deps, id)
    return id
  }

  async function establish(record: SessionRecord): Promise<Session> {
    await ready(rt)
    return attempt(rt, {
      type: 'SESSION_ESTABLISHED',
      attemptId: crypto.randomUUID(),
      record,
      now: deps.env.now(),
    })
  }

  return {
    async signIn(params?: unknown, options?: { method?: string }): Promise<Session> {
      live()
      const methodId = defaultMethodId(options?.method)
      await ready(rt)
      return attempt(rt, { type: 'SIGN_IN', attemptId: crypto.randomUUID(), methodId, params })
    },

    // Loaded on first use (givenSessions.ts): most pages never hand a session over.
    async setTokens(given: Credentials | TokenSet, options?: { method?: string }): Promise<Session> {
      live()
      return (await loadWork()).setGivenTokens(rt, establish, given, options)
    },

    async restore(serialized: string): Promise<Session> {
      live()
      return (await loadWork()).restoreSerialized(rt, establish, serialized)
    },

    async handleRedirectCallback(url?: string | URL, options?: { method?: string }): Promise<Session> {
      live()
      const callback = url ? new URL(String(url)) : pageLocation()
      if (!callback)
        throw new SessionError('NOT_SUPPORTED', 'No callback URL given and no page location to read')
      if (options?.method) findMethod(deps, options.method)
      await ready(rt)
      return attempt(rt, {
        type: 'REDIRECT_CALLBACK',
        attemptId: crypto.randomUUID(),
        url: callback.href,
        state: callback.searchParams.get('state'),
        now: deps.env.now(),
        ...(options?.method ? { methodId: options.method } : {}),
      })
    },
  }
}

/**
 * What the lazily loaded serialization module borrows from the client: handed in, the parser and
 * the error class stay in the core chunk instead of being split into chunks of their own.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 * import { serializeRecord } from './serialization.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const { record } = rt.actor.getSnapshot().context
 * const text = record && (await serializeRecord(record, serializationDeps(rt), { includeKey: true }))
 * ```
 */
export function serializationDeps(rt: ClientRuntime): SerializationDeps {
  return { keyStore: rt.deps.keyStore, parse: parseSessionRecord, SessionError }
}

/**
 * The page's address, where there is a page.
 *
 * @example
 * ```ts
 * pageLocation()?.origin
 * ```
 */
export function pageLocation(): URL | null {
  return typeof location !== 'undefined' && typeof location.href === 'string' ? new URL(location.href) : null
}
