/** `tessera-session/oidc`: OpenID Connect redirect sign-in with PKCE and DPoP, built on oauth4webapi. */

export { toSessionErrorFromOAuth } from './oauthErrors.js'
export { type OidcOptions, type OidcSignInParams, oidc } from './oidcMethod.js'
