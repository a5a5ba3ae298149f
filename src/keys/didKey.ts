/** Encodes a P-256 public key as a `did:key` identifier (multicodec p256-pub, base58btc). */

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
// The unsigned-varint encoding of multicodec 0x1200 (p256-pub).
const P256_PUB_MULTICODEC = [0x80, 0x24]

function base58btc(bytes: Uint8Array): string {
  const digits: number[] = [0]
  for (const byte of bytes) {
    let carry = byte
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] as number) << 8
      digits[i] = carry % 58
      carry = Math.floor(carry / 58)
    }
    while (carry > 0) {
      digits.push(carry % 58)
      carry = Math.floor(carry / 58)
    }
  }
  let out = ''
  for (const byte of bytes) {
    if (byte !== 0) break
    out += '1'
  }
  for (let i = digits.length - 1; i >= 0; i--) out += BASE58_ALPHABET[digits[i] as number]
  return out
}

/**
 * The `did:key` of an uncompressed P-256 public key (65 bytes, `0x04 || x || y`), using the
 * compressed point as the did:key spec requires.
 *
 * @example
 * ```ts
 * const { publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])
 * const raw = new Uint8Array(await crypto.subtle.exportKey('raw', publicKey))
 * didKeyFromP256(raw) // 'did:key:zDn…'
 * ```
 */
export function didKeyFromP256(uncompressedPoint: Uint8Array): string {
  if (uncompressedPoint.length !== 65 || uncompressedPoint[0] !== 0x04) {
    throw new TypeError('Expected an uncompressed P-256 point of 65 bytes')
  }
  const x = uncompressedPoint.subarray(1, 33)
  const yIsOdd = ((uncompressedPoint[64] as number) & 1) === 1
  const compressed = new Uint8Array(33)
  compressed[0] = yIsOdd ? 0x03 : 0x02
  compressed.set(x, 1)
  return `did:key:z${base58btc(Uint8Array.from([...P256_PUB_MULTICODEC, ...compressed]))}`
}
