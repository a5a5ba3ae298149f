/** `tessera-session/wallet`: wallet (web3) sign-in with Sign-In with Ethereum, and did-session's capability sessions. */
export type { Cacao, CacaoPayload } from '../capability/cacao.js'
export { coversResources } from '../capability/coversResources.js'
export { decodeRecap, encodeRecap, isRecapResource, type Recap, recapStatement } from '../capability/recap.js'
export { toChecksumAddress } from './eip55.js'
export { checkSiweFields, type SiweFields, siweMessage } from './siweMessage.js'
export {
  type CapabilityRequest,
  cacaoFromSiwe,
  DEFAULT_CAPABILITY_SECONDS,
  DEFAULT_CAPABILITY_STATEMENT,
  type Eip1193Provider,
  type WalletOptions,
  type WalletSignInParams,
  wallet,
} from './walletMethod.js'
export {
  type GetWalletSessionOptions,
  getWalletSession,
  removeWalletSession,
  type WalletSession,
  walletSessionOf,
} from './walletSession.js'
