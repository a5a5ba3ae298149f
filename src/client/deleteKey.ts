/** Deletes a session key, bounded in time; failures are reported, never thrown. */
import { abortAfter, untilAborted } from '../environment/Environment.js'
import { SessionError, toSessionError } from '../SessionError.js'
import type { SessionLogicDeps } from './sessionLogic.js'

/**
 * Deletes one session key, bounded in time; failures are reported, never thrown.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 * import type { SessionRecord } from '../../machines/sessionRecord.js'
 *
 * declare const record: SessionRecord
 * const { deps } = createClientRuntime({ appId: 'shop', methods })
 * if (record.keyId) await deleteKey(deps, record.keyId)
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
    await untilAborted(deps.keyStore.delete(keyId), bounded.signal)
  } catch (error) {
    deps.reportError(toSessionError(error, 'KEY_UNAVAILABLE', 'Could not delete a session key'))
  } finally {
    bounded.dispose()
  }
}
