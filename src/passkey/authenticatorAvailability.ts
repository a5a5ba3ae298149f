/** Asks the browser whether this device has any authenticator a passkey prompt could reach. */
import type { Environment } from '../environment/Environment.js'
import { withTimeout } from '../util/withTimeout.js'

/** `PublicKeyCredential`'s static feature checks (WebAuthn Level 3 `getClientCapabilities`, Level 2 `isUVPAA`). */
interface PublicKeyCredentialStatics {
  getClientCapabilities?: () => Promise<Record<string, boolean | undefined>>
  isUserVerifyingPlatformAuthenticatorAvailable?: () => Promise<boolean>
}

async function probe(): Promise<boolean> {
  const statics = (globalThis as { PublicKeyCredential?: PublicKeyCredentialStatics }).PublicKeyCredential
  if (!statics) return true
  const capabilities = await statics.getClientCapabilities?.().catch(() => undefined)
  const platform =
    capabilities?.userVerifyingPlatformAuthenticator ??
    (await statics.isUserVerifyingPlatformAuthenticatorAvailable?.().catch(() => undefined))
  // Only a definite "no" counts: no user-verifying platform authenticator and no phone (hybrid)
  // transport. A security key may still exist, but then the prompt offered nothing built in and no
  // phone, and nothing answered it. Where the browser cannot say (no Level 3 capabilities), there may be one.
  return (
    platform === false &&
    capabilities?.hybridTransport === false &&
    capabilities?.passkeyPlatformAuthenticator !== true
  )
}

/**
 * True when the browser reports no user-verifying platform authenticator and no hybrid (phone)
 * transport (and no passkey platform authenticator). Unknown answers count as "there may be one".
 * Bounded to one second: a feature check never holds up an error.
 *
 * @example
 * ```ts
 * import type { MethodContext } from '../authMethod.js'
 *
 * declare const ctx: MethodContext // what a sign-in method is called with
 * if (await deviceHasNoAuthenticator(ctx.environment)) render('Sign in with email instead')
 * ```
 */
export async function deviceHasNoAuthenticator(
  env: Pick<Environment, 'setTimeout' | 'clearTimeout'>,
): Promise<boolean> {
  return withTimeout(probe(), 1000, 'The authenticator check timed out', env).catch(() => false)
}
