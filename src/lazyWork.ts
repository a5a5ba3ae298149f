/**
 * Everything tessera loads on first use, in one module so that bundlers emit one lazy chunk
 * instead of dozens: each separately fetched and gzipped chunk costs its own headers and loses
 * the compression it would share with its neighbours (issue 10: 37 chunks, many of 100–400 bytes).
 * A page that only reads its session never loads it; the first sign-in, refresh, `fetch`, ID
 * token, serialization, device listing or key operation does, once (see loadWork.ts).
 * Modules in here import each other statically; only code on the first-load path imports this.
 */
export { deviceAccessCalls } from './client/deviceAccessCalls.js'
export { restoreSerialized, setGivenTokens } from './client/givenSessions.js'
export { getIdToken } from './client/idToken.js'
export { requestAuthorizer } from './client/requestAuthorization.js'
export { serializeRecord } from './client/serialization.js'
export { completeRedirect, endOnServer, refreshSession, signIn } from './client/sessionWork.js'
export { createAuthenticatedFetch } from './http/authenticatedFetch.js'
export { importSessionKey } from './keys/importSessionKey.js'
export { keyDatabase } from './keys/keyDatabase.js'
export { describeSessionKey, generateSessionKey } from './keys/sessionKeyPair.js'
export { coordinateRefreshes, crossTabRefreshCoordinator } from './sync/crossTabRefreshCoordinator.js'
export { memoryLock } from './sync/refreshLock.js'
