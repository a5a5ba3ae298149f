/**
 * `tessera-session/server`: verify on a backend (Node or an edge runtime, no DOM) what a tessera
 * wallet session sends: its session-key token and the wallet capability (CACAO) inside it.
 */
export type { Cacao, CacaoPayload } from '../capability/cacao.js'
export { coversResources } from '../capability/coversResources.js'
export { decodeRecap, type Recap } from '../capability/recap.js'
export { personalMessageHash, recoverSigner } from './ethereumSignature.js'
export {
  type ContractSignatureVerifier,
  type VerifiedCapability,
  type VerifyCapabilityOptions,
  verifyCacao,
} from './verifyCacao.js'
export {
  type VerifiedSession,
  type VerifySessionTokenOptions,
  verifySessionToken,
} from './verifySessionToken.js'
