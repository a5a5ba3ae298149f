/** Chromium's DevTools virtual authenticator (CDP `WebAuthn` domain) for Playwright tests. */
import type { BrowserContext, CDPSession, Page } from 'playwright'

/** A credential as `WebAuthn.getCredentials` reports it. */
export interface VirtualCredential {
  credentialId: string
  isResidentCredential: boolean
  rpId?: string
  userHandle?: string
  signCount: number
}

/** An authenticator attached to one page (its target keeps it across reloads). */
export interface VirtualAuthenticator {
  cdp: CDPSession
  authenticatorId: string
  credentials(): Promise<VirtualCredential[]>
  /** `false` makes user verification fail: the browser's prompt ends with `NotAllowedError`. */
  setUserVerified(verified: boolean): Promise<void>
}

/**
 * Enables the virtual authenticator environment on `page` and, unless `none`, adds a platform
 * passkey authenticator: CTAP2, internal transport, resident keys, user verification that succeeds,
 * presence simulated (no human). With `none`, the page has WebAuthn and no authenticator at all;
 * with `presence: false`, the authenticator waits for a touch that never comes (an ignored prompt).
 *
 * @example
 * ```ts
 * const authenticator = await addVirtualAuthenticator(context, page)
 * expect(await authenticator.credentials()).toHaveLength(0)
 * ```
 */
export async function addVirtualAuthenticator(
  context: BrowserContext,
  page: Page,
  options: { none?: boolean; presence?: boolean } = {},
): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable', { enableUI: false })
  let authenticatorId = ''
  if (!options.none) {
    ;({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: options.presence ?? true,
      },
    }))
  }
  return {
    cdp,
    authenticatorId,
    async credentials() {
      if (!authenticatorId) return []
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
      return credentials as VirtualCredential[]
    },
    async setUserVerified(verified) {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: verified })
    },
  }
}
