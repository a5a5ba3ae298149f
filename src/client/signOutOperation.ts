/** `signOut()`: the machine clears local state at once; this waits (bounded) for storage and the server. */
import { toSessionError } from '../SessionError.js'
import { withTimeout } from '../util/withTimeout.js'
import type { ClientRuntime } from './clientRuntime.js'
import type { SignOutOptions } from './SessionClient.js'

/**
 * Signs out: never rejects. Status is `signedOut` as soon as this is called, and the promise
 * settles when storage is cleared (bounded), and with `redirect` once the page was sent to the
 * provider's logout. The server is told by the machine's `endSession` actor (revocation, then the
 * logout redirect), bounded by `signOutTimeoutMs`; it goes on after `destroy()`.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * await signOut(rt, { redirect: true })
 * ```
 */
export async function signOut(rt: ClientRuntime, options?: SignOutOptions): Promise<void> {
  if (rt.lifetime.aborted) return
  const { deps } = rt
  rt.actor.send({ type: 'SIGN_OUT', redirect: options?.redirect === true })
  const storageTimeoutMs = rt.options.storageTimeoutMs ?? 3000
  const ending = [...deps.endings].at(-1)
  await withTimeout(deps.store.flush(), storageTimeoutMs, 'Clearing storage timed out', deps.env).catch(
    (error: unknown) => deps.reportError(toSessionError(error, 'STORAGE', 'Clearing storage failed')),
  )
  // With a logout redirect, the promise settles once the page was sent (bounded by signOutTimeoutMs).
  if (options?.redirect && ending) await ending
}
