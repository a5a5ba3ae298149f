/** `tessera-session/wallet`: wallet (web3) sign-in with Sign-In with Ethereum. */
export { type SiweFields, siweMessage } from './siweMessage.js'
export { type Eip1193Provider, type WalletOptions, wallet } from './walletMethod.js'
