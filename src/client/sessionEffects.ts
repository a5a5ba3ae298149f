/** The machine's effects: what its named actions do in the world (storage, other tabs, keys, navigation). */
import type { SessionContext } from '../../machines/session.machine.js'
import type { PendingRedirect, SessionRef } from '../../machines/sessionRecord.js'
import { toSessionError } from '../SessionError.js'
import { deleteKey } from './deleteKey.js'
import { methodContext } from './methodContext.js'
import type { SessionLogicDeps } from './sessionLogic.js'

type Args = { context: SessionContext }

/**
 * Every effect action of the session machine, given a world.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 * import { sessionMachine } from '../../machines/session.machine.js'
 * import { sessionActors } from './sessionActors.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const logic = sessionMachine.provide({ actors: sessionActors(rt.deps), actions: sessionEffects(rt.deps) })
 * ```
 */
export function sessionEffects(deps: SessionLogicDeps) {
  const publish = deps.sync ? deps.sync.publish.bind(deps.sync) : () => undefined
  return {
    persist: ({ context }: Args) => {
      const { record, expired, pendingRedirect, signedOut, basis } = context
      deps.store.write({ record, expired, pendingRedirect, signedOut }, basis)
    },
    broadcastSession: ({ context }: Args) => {
      if (context.record) publish({ type: 'session', record: context.record, from: deps.tabId })
    },
    broadcastExpired: ({ context }: Args) => {
      // `basis` still names the session that just expired.
      if (context.expired && context.basis) {
        publish({ type: 'expired', expired: context.expired, session: context.basis, from: deps.tabId })
      }
    },
    broadcastSignedOut: (_: Args, params: { session: SessionRef | null }) =>
      publish({ type: 'signedOut', session: params.session, from: deps.tabId }),
    navigate: (_: Args, params: { url: string }) => {
      if (params.url) deps.navigate(params.url)
    },
    reportError: (_: Args, params: { error: unknown }) => {
      if (params.error === null || params.error === undefined) return
      deps.reportError(toSessionError(params.error, 'SIGN_IN_FAILED', 'Sign-in failed'))
    },
    deleteKeys: (_: Args, params: { keyIds: string[] }) => {
      for (const keyId of params.keyIds) void deleteKey(deps, keyId)
    },
    abandonRedirect: (_: Args, params: { pending: PendingRedirect | null }) => {
      const pending = params.pending
      const method = pending ? deps.methods.get(pending.methodId) : undefined
      if (!pending?.state || !method?.abandonRedirect) return
      const controller = new AbortController()
      const ctx = methodContext(deps, controller.signal, () => Promise.reject(new Error('no key here')))
      void method
        .abandonRedirect(pending.state, ctx)
        .catch((error: unknown) =>
          deps.reportError(
            toSessionError(error, 'STORAGE', 'Could not clear what the redirect sign-in left'),
          ),
        )
    },
  }
}
