/** tessera: a reactive session core for web and web3 apps. */

export { sessionMachine } from '../machines/session.machine.js'
export type {
  AccessGrant,
  AccessGrantInfo,
  AccessGrantInfoPage,
  AccessGrantPage,
  ListAccessOptions,
  RevokeAccessOptions,
} from './accessGrant.js'
export type { AuthMethod, IdTokenOptions, MethodContext, RedirectRequest } from './authMethod.js'
export { isRedirectRequest } from './authMethod.js'
export type { Cacao, CacaoPayload } from './capability/cacao.js'
export { createSessionClient } from './client/createSessionClient.js'
export type { SessionForQuery } from './client/hasSessionFor.js'
export type { SessionClient, SessionClientOptions, SignOutOptions } from './client/SessionClient.js'
export type { SerializeOptions } from './client/serialization.js'
export type { Environment } from './environment/Environment.js'
export { inspectionSanitizers } from './inspectionSanitizers.js'
export { createSessionKey } from './keys/createSessionKey.js'
export { indexedDbKeyStore } from './keys/indexedDbKeyStore.js'
export { memoryKeyStore } from './keys/memoryKeyStore.js'
export type { KeyStore, SessionKey } from './keys/SessionKey.js'
export {
  isSessionError,
  SESSION_ERROR_CODES,
  SessionError,
  type SessionErrorCode,
  toSessionError,
} from './SessionError.js'
export type {
  AuthState,
  Credentials,
  Session,
  SessionExpiredEvent,
  SessionExpiredReason,
  SessionStatus,
} from './session.js'
export type { AnyAuthMethod, SignInArgs, SignInParamsOf } from './signInArgs.js'
export { type CookieStorageOptions, cookieStorage } from './storage/cookieStorage.js'
export { type EncryptedStorageOptions, encryptedStorage } from './storage/encryptedStorage.js'
export { type IndexedDbStorageOptions, indexedDbStorage } from './storage/indexedDbStorage.js'
export { memoryStorage } from './storage/memoryStorage.js'
export type { StorageAdapter, StorageOption } from './storage/StorageAdapter.js'
export { webStorage } from './storage/webStorage.js'
export { broadcastChannelSync } from './sync/broadcastChannelSync.js'
export { inProcessRefreshCoordinator } from './sync/inProcessRefreshCoordinator.js'
export type { CoordinatedRefresh, RefreshCoordinator, SessionSync, SyncMessage } from './sync/SessionSync.js'
