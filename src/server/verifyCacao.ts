/** Verifies a wallet's capability (CACAO): signature from its account, domain, time window, resources. */
import { type Cacao, cacaoTime, parseCacao, pkhAccount } from '../capability/cacao.js'
import { coversResources } from '../capability/coversResources.js'
import { decodeRecap, isRecapResource, recapStatement } from '../capability/recap.js'
import { defaultEnvironment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import { toChecksumAddress } from '../wallet/eip55.js'
import { type SiweFields, siweMessage } from '../wallet/siweMessage.js'
import { personalMessageHash, recoverSigner } from './ethereumSignature.js'

/**
 * Checks a contract wallet's signature (EIP-1271, or EIP-6492 before deployment), which only the
 * chain can answer: wire it to your RPC, e.g. with viem's `verifyMessage`. `messageHash` is the
 * EIP-191 hash of the SIWE message (`0x` hex); `context` adds the chain and the message itself.
 *
 * @example
 * ```ts
 * import { createPublicClient, http } from 'viem'
 * import { mainnet } from 'viem/chains'
 *
 * const rpc = createPublicClient({ chain: mainnet, transport: http() })
 * const verifyContractSignature: ContractSignatureVerifier = (address, _hash, signature, { message }) =>
 *   rpc.verifyMessage({ address: address as `0x${string}`, message, signature: signature as `0x${string}` })
 * ```
 */
export type ContractSignatureVerifier = (
  address: string,
  messageHash: string,
  signature: string,
  context: { chainId: number; message: string },
) => boolean | Promise<boolean>

/**
 * What a capability must satisfy.
 *
 * @example
 * ```ts
 * const options: VerifyCapabilityOptions = { domain: 'dapp.example', resources: ['https://api.example/posts'] }
 * ```
 */
export interface VerifyCapabilityOptions {
  /** The domain (RFC 3986 authority) the wallet must have signed for; several are allowed. */
  domain: string | readonly string[]
  /** Resources the request needs; each must be covered (`ceramic://*` wildcards and ReCaps as did-session reads them). */
  resources?: readonly string[]
  /** The delegate the capability must name (`aud`), e.g. the session key's `did:key`. */
  audience?: string
  /** Milliseconds since the epoch, or a Date. Default: the current time. */
  now?: number | Date
  /** Clock tolerance for `iat`, `nbf` and `exp`, in seconds. Default 60. */
  clockToleranceSeconds?: number
  /** For contract wallets (EIP-1271/6492): without it, only EOA signatures (EIP-191) verify. */
  verifyContractSignature?: ContractSignatureVerifier
}

/**
 * A capability that verified: who delegated what, to whom, until when.
 *
 * @example
 * ```ts
 * declare const cacao: unknown // from the request
 * const { account, resources, delegate }: VerifiedCapability = await verifyCacao(cacao, { domain: 'dapp.example' })
 * ```
 */
export interface VerifiedCapability {
  /** CAIP-10 `eip155:<chainId>:<EIP-55 address>`. */
  account: string
  /** EIP-55 address. */
  address: string
  chainId: number
  /** The delegate (`aud`): the session key's `did:key`. */
  delegate: string
  /** The granted resources (`p.resources`). */
  resources: string[]
  /** The nonce the wallet signed: a backend checks it is one it issued, once. */
  nonce: string
  /** Unix seconds. */
  issuedAt: number
  /** Unix seconds; absent when the capability does not expire. */
  expiresAt?: number
  capability: Cacao
}

function refuse(
  code: ConstructorParameters<typeof SessionError>[0],
  message: string,
  cause?: unknown,
): never {
  throw new SessionError(code, message, cause === undefined ? undefined : { cause })
}

function nowMs(now: number | Date | undefined): number {
  if (now instanceof Date) return now.getTime()
  return now ?? defaultEnvironment().now()
}

/** The EIP-4361 fields a CACAO was made from: what the wallet signed, rebuilt. */
function siweFieldsOf(cacao: Cacao, chainId: number, address: string): SiweFields {
  const p = cacao.p
  const fields: SiweFields = {
    domain: p.domain,
    address,
    uri: p.aud,
    chainId,
    nonce: p.nonce,
    issuedAt: p.iat,
  }
  if (p.version === '1') fields.version = '1'
  if (p.statement !== undefined) fields.statement = p.statement
  if (p.exp !== undefined) fields.expirationTime = p.exp
  if (p.nbf !== undefined) fields.notBefore = p.nbf
  if (p.requestId !== undefined) fields.requestId = p.requestId
  if (p.resources?.length) fields.resources = p.resources
  return fields
}

/**
 * Verifies a CACAO the way a relying party must before trusting it: well formed; signed by its
 * `iss` account (EIP-191 recovery for an externally owned account, `verifyContractSignature` for a
 * contract wallet) over the exact EIP-4361 message rebuilt from it, with the address EIP-55
 * checksummed; for `domain`; to `audience` when given; within its time window (with a small
 * tolerance); with a ReCap statement that matches its ReCap; and granting every requested resource.
 * Throws a {@link SessionError} whose code names the first failed check.
 *
 * @example
 * ```ts
 * import { verifyCacao } from 'tessera-session/server'
 *
 * declare const body: { cacao: unknown } // the sign-in request's JSON
 * declare const issuedNonces: Set<string> // nonces this server handed out, each good once
 * const capability = await verifyCacao(body.cacao, { domain: 'dapp.example' })
 * if (!issuedNonces.delete(capability.nonce)) throw new Error('replayed sign-in')
 * ```
 */
export async function verifyCacao(
  value: unknown,
  options: VerifyCapabilityOptions,
): Promise<VerifiedCapability> {
  const cacao = parseCacao(value, 'INVALID_CAPABILITY')
  const p = cacao.p
  const pkh = pkhAccount(p.iss)
  if (!pkh) refuse('INVALID_CAPABILITY', 'The capability is not from an eip155 account (did:pkh:eip155:…)')
  if (p.version !== '1') refuse('INVALID_CAPABILITY', 'The capability is not an EIP-4361 version 1 message')
  let address: string
  let message: string
  try {
    address = toChecksumAddress(pkh.address)
    message = siweMessage(siweFieldsOf(cacao, pkh.chainId, address))
  } catch (error) {
    refuse('INVALID_CAPABILITY', 'The capability is not a valid EIP-4361 message', error)
  }

  const domains = typeof options.domain === 'string' ? [options.domain] : options.domain
  if (!domains.includes(p.domain)) refuse('DOMAIN_MISMATCH', 'The capability was signed for another domain')
  if (options.audience !== undefined && p.aud !== options.audience) {
    refuse('CAPABILITY_AUDIENCE_MISMATCH', 'The capability delegates to another key')
  }

  const now = nowMs(options.now) / 1000
  const tolerance = options.clockToleranceSeconds ?? 60
  const issuedAt = cacaoTime(p.iat) as number
  const notBefore = cacaoTime(p.nbf)
  const expiresAt = cacaoTime(p.exp)
  if (issuedAt > now + tolerance || (notBefore !== undefined && notBefore > now + tolerance)) {
    refuse('CAPABILITY_NOT_YET_VALID', 'The capability is not valid yet')
  }
  if (expiresAt !== undefined && expiresAt <= now - tolerance) {
    refuse('CAPABILITY_EXPIRED', 'The capability has expired')
  }

  const hash = personalMessageHash(message)
  const signer = recoverSigner(hash, cacao.s.s)
  if (signer !== address.toLowerCase()) {
    const hook = options.verifyContractSignature
    if (!hook) {
      refuse(
        'CAPABILITY_SIGNATURE_INVALID',
        signer === null
          ? 'The capability carries a contract-wallet signature and no verifyContractSignature was given'
          : 'The capability is not signed by its account',
      )
    }
    let valid: boolean
    try {
      valid = await hook(address, hash, cacao.s.s, { chainId: pkh.chainId, message })
    } catch (error) {
      refuse('NETWORK', 'Could not check the contract wallet signature', error)
    }
    if (valid !== true)
      refuse('CAPABILITY_SIGNATURE_INVALID', 'The contract wallet did not accept the signature')
  }

  const granted = p.resources ?? []
  // EIP-5573: the ReCap is the last resource and the statement the user read must describe it.
  const last = granted.at(-1)
  if (last !== undefined && isRecapResource(last)) {
    let expected: string
    try {
      expected = recapStatement(decodeRecap(last))
    } catch (error) {
      refuse('INVALID_CAPABILITY', 'The capability carries an unreadable ReCap', error)
    }
    if (!p.statement?.endsWith(expected))
      refuse('INVALID_CAPABILITY', 'The statement does not describe the ReCap the wallet signed')
  }
  if (!coversResources(granted, options.resources ?? [])) {
    refuse('RESOURCE_NOT_GRANTED', 'The capability does not grant a requested resource')
  }
  return {
    account: `eip155:${pkh.chainId}:${address}`,
    address,
    chainId: pkh.chainId,
    delegate: p.aud,
    resources: [...granted],
    nonce: p.nonce,
    issuedAt,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    capability: cacao,
  }
}
