/** Builds Sign-In with Ethereum (EIP-4361) messages, the text a wallet signs to prove an address. */

/**
 * The fields of an EIP-4361 message.
 *
 * @example
 * ```ts
 * const fields: SiweFields = {
 *   domain: 'shop.example',
 *   address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
 *   uri: 'https://shop.example',
 *   chainId: 1,
 *   nonce: 'n8Kd3x9Qa2',
 *   issuedAt: new Date().toISOString(),
 * }
 * ```
 */
export interface SiweFields {
  domain: string
  address: string
  statement?: string
  uri: string
  chainId: number
  nonce: string
  issuedAt: string
  expirationTime?: string
  notBefore?: string
  requestId?: string
  resources?: string[]
}

/**
 * The exact EIP-4361 text (line order and spelling matter: servers parse it).
 *
 * @example
 * ```ts
 * const message = siweMessage({
 *   domain: 'shop.example',
 *   address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
 *   uri: 'https://shop.example/login',
 *   chainId: 1,
 *   nonce: 'n8Kd3x9Qa2', // from your backend
 *   issuedAt: new Date().toISOString(),
 * })
 * ```
 */
export function siweMessage(fields: SiweFields): string {
  if (!/^[A-Za-z0-9]{8,}$/.test(fields.nonce))
    throw new TypeError('A SIWE nonce is at least 8 alphanumeric characters')
  if (!/^0x[0-9a-fA-F]{40}$/.test(fields.address)) throw new TypeError('Not an Ethereum address')
  const lines = [`${fields.domain} wants you to sign in with your Ethereum account:`, fields.address, '']
  if (fields.statement) lines.push(fields.statement, '')
  lines.push(
    `URI: ${fields.uri}`,
    'Version: 1',
    `Chain ID: ${fields.chainId}`,
    `Nonce: ${fields.nonce}`,
    `Issued At: ${fields.issuedAt}`,
  )
  if (fields.expirationTime) lines.push(`Expiration Time: ${fields.expirationTime}`)
  if (fields.notBefore) lines.push(`Not Before: ${fields.notBefore}`)
  if (fields.requestId) lines.push(`Request ID: ${fields.requestId}`)
  if (fields.resources?.length) lines.push('Resources:', ...fields.resources.map((r) => `- ${r}`))
  return lines.join('\n')
}
