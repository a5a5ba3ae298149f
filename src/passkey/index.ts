/** `tessera-session/passkey`: passkey (WebAuthn) sign-in, built on @simplewebauthn/browser. */
export type { PasskeyErrorResponse, PasskeyTokenResponse } from './passkeyEndpoints.js'
export {
  type PasskeyAutofillOptions,
  type PasskeyMethod,
  type PasskeyOptions,
  type PasskeySignInParams,
  passkey,
} from './passkeyMethod.js'
