/** EIP-55 mixed-case checksummed Ethereum addresses: what EIP-4361 requires in a SIWE message. */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { SessionError } from '../SessionError.js'

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/

function checksumOf(hex: string): string {
  const lower = hex.toLowerCase()
  const hash = keccak_256(new TextEncoder().encode(lower))
  let out = '0x'
  for (let i = 0; i < lower.length; i++) {
    // Nibble i of the hash decides the case of hex digit i.
    const nibble = ((hash[i >> 1] as number) >> (i % 2 === 0 ? 4 : 0)) & 0x0f
    out += nibble >= 8 ? (lower[i] as string).toUpperCase() : lower[i]
  }
  return out
}

/**
 * The EIP-55 form of an address. An all-lowercase or all-uppercase address (no checksum, as most
 * wallets share it) is checksummed; a mixed-case address must already carry the right checksum:
 * a wrong one is a typo or a forgery, refused with `SessionError('INVALID_PARAMS')`.
 *
 * @example
 * ```ts
 * toChecksumAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed') // '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
 * ```
 */
export function toChecksumAddress(address: string): string {
  if (typeof address !== 'string' || !HEX_ADDRESS.test(address)) {
    throw new SessionError('INVALID_PARAMS', 'Not an Ethereum address (0x and 40 hex digits)')
  }
  const hex = address.slice(2)
  const checksummed = checksumOf(hex)
  const unchecked = hex === hex.toLowerCase() || hex === hex.toUpperCase()
  if (!unchecked && checksummed !== address) {
    throw new SessionError('INVALID_PARAMS', 'The address has a wrong EIP-55 checksum')
  }
  return checksummed
}
