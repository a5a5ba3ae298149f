/** EIP-191 personal-message hashing and secp256k1 signer recovery: how an EOA's SIWE signature is checked. */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

function fromHex(text: string): Uint8Array {
  const clean = text.replace(/^0x/, '')
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new TypeError('not hex')
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => Number.parseInt(b, 16))
}

/**
 * The EIP-191 (version 0x45) hash a wallet signs for `personal_sign`:
 * keccak256("\x19Ethereum Signed Message:\n" + byte length + message), as `0x` hex.
 *
 * @example
 * ```ts
 * personalMessageHash('hello') // '0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750'
 * ```
 */
export function personalMessageHash(message: string): string {
  const bytes = new TextEncoder().encode(message)
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${bytes.length}`)
  const data = new Uint8Array(prefix.length + bytes.length)
  data.set(prefix)
  data.set(bytes, prefix.length)
  return `0x${hex(keccak_256(data))}`
}

/**
 * The lowercase address whose key made a 65-byte `r || s || v` signature over `hash`, or null when
 * the signature is not one (a contract wallet's, or garbage).
 *
 * @example
 * ```ts
 * declare const message: string // the text the wallet was asked to sign
 * declare const signature: string // what personal_sign answered (0x, 65 bytes)
 * recoverSigner(personalMessageHash(message), signature) // '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'
 * ```
 */
export function recoverSigner(hash: string, signature: string): string | null {
  let bytes: Uint8Array
  try {
    bytes = fromHex(signature)
  } catch {
    return null
  }
  if (bytes.length !== 65) return null
  const v = bytes[64] as number
  const recovery = v >= 27 ? v - 27 : v
  if (recovery !== 0 && recovery !== 1) return null
  try {
    const recovered = new Uint8Array(65)
    recovered[0] = recovery
    recovered.set(bytes.subarray(0, 64), 1)
    const compressed = secp256k1.recoverPublicKey(recovered, fromHex(hash), { prehash: false })
    const uncompressed = secp256k1.Point.fromBytes(compressed).toBytes(false)
    return `0x${hex(keccak_256(uncompressed.subarray(1)).subarray(-20))}`
  } catch {
    return null
  }
}
