/** What tessera asks of the EIP-1193 wallet: an account, its chain and a `personal_sign` signature, and what its failures mean. */
import { SessionError } from '../SessionError.js'
import { toChecksumAddress } from './eip55.js'
import type { Eip1193Provider } from './walletMethod.js'

/**
 * The account a caller asked to sign in as, from an address, `eip155:<chain>:<address>` or `did:pkh`.
 *
 * @example
 * ```ts
 * const wanted: RequestedAccount = { chainId: 1, address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' }
 * ```
 */
export interface RequestedAccount {
  chainId?: number
  address: string
}

/**
 * The account the caller asked for; anything else is `INVALID_PARAMS`.
 *
 * @example
 * ```ts
 * requestedAccount('did:pkh:eip155:1:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed') // { chainId: 1, address: '0x5aAe…' }
 * ```
 */
export function requestedAccount(account: string): RequestedAccount {
  const m = /^(?:did:pkh:)?(?:eip155:([1-9][0-9]*):)?(0x[0-9a-fA-F]{40})$/.exec(account)
  if (!m)
    throw new SessionError('INVALID_PARAMS', 'The account is not an Ethereum address, account id or did:pkh')
  return { ...(m[1] ? { chainId: Number(m[1]) } : {}), address: m[2] as string }
}

/** The wallet's address, EIP-55 checksummed: wallets often share it in lowercase. */
function sharedAddress(account: string): string {
  try {
    return toChecksumAddress(account)
  } catch (error) {
    throw new SessionError(
      'SIGN_IN_FAILED',
      `The wallet shared an unusable address: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
}

/**
 * Asks the wallet for its accounts (`eth_requestAccounts`) and picks the one to sign in with: the
 * requested one, else the first. The chain is the app's, else the requested account's, else the
 * wallet's (`eth_chainId`).
 *
 * @example
 * ```ts
 * const { address, chainId } = await connectAccount(window.ethereum!, undefined, undefined)
 * ```
 */
export async function connectAccount(
  provider: Eip1193Provider,
  wanted: RequestedAccount | undefined,
  appChainId: number | undefined,
): Promise<{ address: string; chainId: number }> {
  const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as unknown
  if (!Array.isArray(accounts) || typeof accounts[0] !== 'string') {
    throw new SessionError('SIGN_IN_FAILED', 'The wallet shared no account')
  }
  const shared = wanted
    ? accounts.find((a) => typeof a === 'string' && a.toLowerCase() === wanted.address.toLowerCase())
    : accounts[0]
  if (typeof shared !== 'string')
    throw new SessionError('SIGN_IN_FAILED', 'The wallet did not share the requested account')
  const address = sharedAddress(shared)
  const chainId =
    appChainId ??
    wanted?.chainId ??
    Number.parseInt(String(await provider.request({ method: 'eth_chainId' })), 16)
  return { address, chainId }
}

function hexUtf8(text: string): string {
  return `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/**
 * Has the wallet sign a message with `personal_sign` (sent hex-encoded, as EIP-1193 wallets expect)
 * and returns the hex signature.
 *
 * @example
 * ```ts
 * const signature = await personalSign(window.ethereum!, 'example.com wants you to sign in…', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')
 * ```
 */
export async function personalSign(
  provider: Eip1193Provider,
  message: string,
  address: string,
): Promise<string> {
  const signed = await provider.request({
    method: 'personal_sign',
    params: [hexUtf8(message), address],
  })
  if (typeof signed !== 'string' || !/^0x[0-9a-fA-F]+$/.test(signed))
    throw new SessionError('SIGN_IN_FAILED', 'The wallet answered without a hex signature')
  return signed
}

/**
 * What a failed conversation with the wallet becomes: a SessionError stays as it is; anything the
 * wallet threw is `SIGN_IN_FAILED`, saying whether the user rejected the request.
 *
 * @example
 * ```ts
 * walletFailure({ code: 4001, message: 'User rejected the request.' }).message // 'The user rejected the request'
 * ```
 */
export function walletFailure(error: unknown): SessionError {
  if (error instanceof SessionError) return error
  // EIP-1193 code 4001: the user rejected the request.
  const rejected = (error as { code?: unknown })?.code === 4001
  return new SessionError(
    'SIGN_IN_FAILED',
    rejected ? 'The user rejected the request' : 'The wallet failed',
    {
      cause: error,
    },
  )
}
