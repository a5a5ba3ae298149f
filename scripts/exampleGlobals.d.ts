// The few names every example may take for granted (scripts/checkExamples.ts type-checks examples
// with this file). Keep the list short: they stand for what any app has around the snippet. An
// example that needs anything else (a local variable, a component, a helper) declares it.

import type { AuthMethod, SessionClient } from 'tessera-session'
import type { SessionKit } from 'tessera-session/kit'
import type { Eip1193Provider } from 'tessera-session/wallet'

declare global {
  /** The app's session client, made once per page with `createSessionClient`. */
  const client: SessionClient
  /** The app's session kit (several sessions), made once per page with `createSessionKit`. */
  const kit: SessionKit
  /** The app's sign-in methods, as passed to `createSessionClient({ methods })`. */
  const methods: AuthMethod[]
  /** The app's own UI update. */
  function render(...what: unknown[]): void
  /** The app's own notification. */
  function toast(message: string): void

  interface Window {
    /** The wallet's injected EIP-1193 provider (MetaMask and others), where there is one. */
    ethereum?: Eip1193Provider
  }
}
