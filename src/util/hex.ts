/** Hex strings to bytes and back, for session ids and the wire formats that carry them. */

/**
 * Bytes of a hex string, with or without `0x`. Returns null for anything that is not whole bytes
 * of hex, so callers choose their own error.
 *
 * @example
 * ```ts
 * hexToBytes('0x0aff') // Uint8Array [10, 255]
 * ```
 */
export function hexToBytes(hex: string): Uint8Array | null {
  const digits = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return null
  const bytes = new Uint8Array(digits.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

/**
 * Lowercase hex of `bytes`, without a prefix.
 *
 * @example
 * ```ts
 * bytesToHex(new Uint8Array([10, 255])) // '0aff'
 * ```
 */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return hex
}
