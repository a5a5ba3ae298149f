/** `tessera-session/session-data`: encrypted, server-backed session data shared by session id (Torus's `StorageManager`). */
export {
  type EncryptedSessionData,
  type EncryptedSessionDataOptions,
  encryptedSessionData,
} from './encryptedSessionData.js'
export {
  deriveSessionDataKeys,
  generateSessionDataId,
  openSessionData,
  parseSessionDataId,
  type SessionDataKeys,
  sealSessionData,
} from './sessionDataKeys.js'
