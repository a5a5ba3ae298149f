/** One WebAuthn prompt on the client's clock: its time limit, its cancellation, and the error it ends with. */
import { browserSupportsWebAuthn, WebAuthnAbortService } from '@simplewebauthn/browser'
import { abortAfter, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import { deviceHasNoAuthenticator } from './authenticatorAvailability.js'
import { type CeremonyKind, ceremonyError } from './ceremonyError.js'

const DEFAULT_TIMEOUT_MS = 120_000

/**
 * Which of our ceremonies started last. @simplewebauthn/browser keeps one global abort controller
 * and aborts the previous ceremony when a new one starts; we cancel only while ours is the latest,
 * so aborting an old call never cancels a newer prompt.
 */
let latestCeremony = 0

/**
 * Throws `PASSKEY_NOT_SUPPORTED` where the browser cannot use passkeys, before any request is sent.
 *
 * @example
 * ```ts
 * assertWebAuthn() // throws in Node, in an insecure context, in a browser without WebAuthn
 * ```
 */
export function assertWebAuthn(): void {
  if (!browserSupportsWebAuthn()) {
    throw new SessionError(
      'PASSKEY_NOT_SUPPORTED',
      'This browser cannot use passkeys (no WebAuthn, or not a secure context)',
    )
  }
}

/**
 * A prompt's time limit in ms: the app's, else the server options' `timeout`, else 120 000.
 *
 * @example
 * ```ts
 * promptTimeLimit(undefined, 60_000) // 60 000: the server's
 * promptTimeLimit(30_000, 60_000) // 30 000: the app's wins
 * ```
 */
export function promptTimeLimit(appTimeoutMs: number | undefined, serverTimeout: number | undefined): number {
  return (
    appTimeoutMs ??
    (typeof serverTimeout === 'number' && serverTimeout > 0 ? serverTimeout : DEFAULT_TIMEOUT_MS)
  )
}

/**
 * Runs one WebAuthn prompt with a time limit on the client's clock and the caller's signal, and
 * maps whatever it throws to a SessionError. Rejects at once when the signal aborts: a pending
 * browser prompt is cancelled, and its late answer is ignored.
 *
 * @example
 * ```ts
 * import { startAuthentication } from '@simplewebauthn/browser'
 * import type { MethodContext } from '../authMethod.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * declare const optionsJSON: Parameters<typeof startAuthentication>[0]['optionsJSON'] // from the options endpoint
 * const assertion = await ceremony('authentication', ctx.environment, ctx.signal, 60_000, () =>
 *   startAuthentication({ optionsJSON: { ...optionsJSON, timeout: 60_000 } }),
 * )
 * ```
 */
export async function ceremony<T>(
  kind: CeremonyKind,
  env: Environment,
  parent: AbortSignal | undefined,
  timeoutMs: number | undefined,
  start: () => Promise<T>,
): Promise<T> {
  if (parent?.aborted) throw new SessionError('ABORTED', 'The passkey prompt was cancelled')
  const limit = new DOMException('The passkey prompt timed out', 'TimeoutError')
  const timer = timeoutMs === undefined ? null : abortAfter(env, timeoutMs, limit, parent)
  const signal = timer?.signal ?? parent
  const mine = ++latestCeremony
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      if (latestCeremony === mine) WebAuthnAbortService.cancelCeremony()
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
  const started = env.now()
  const prompt = start()
  prompt.catch(() => undefined) // after an abort its rejection is expected and ignored
  try {
    return await Promise.race([prompt, aborted])
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name
    const timedOut =
      (signal?.aborted === true && signal.reason === limit) ||
      (name === 'NotAllowedError' && timeoutMs !== undefined && env.now() - started >= timeoutMs)
    const cancelledByCaller = !timedOut && parent?.aborted === true
    const mayBeNothingHere = !cancelledByCaller && (timedOut || name === 'NotAllowedError')
    throw ceremonyError(error, {
      kind,
      timedOut,
      cancelledByCaller,
      noAuthenticatorHere: mayBeNothingHere ? await deviceHasNoAuthenticator(env) : false,
    })
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort)
    timer?.dispose()
  }
}
