/** `tessera-session/endpoints`: sign-in methods for tokens from an app's own endpoints (Torus's protocol) or from another SDK. */
export {
  credentialsFromTokenSet,
  normalizeSessionId,
  type TokenSet,
  type TokenSetOptions,
} from './credentialsFromTokenSet.js'
export { type ExternalTokenOptions, externalToken } from './externalToken.js'
export {
  type AuthorizeResult,
  type TokenEndpointsMethod,
  type TokenEndpointsOptions,
  tokenEndpoints,
} from './tokenEndpoints.js'
export { decryptTorusSessionData } from './torusSessionData.js'
