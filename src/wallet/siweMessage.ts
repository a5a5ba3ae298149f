/** Builds Sign-In with Ethereum (EIP-4361) messages, the text a wallet signs to prove an address. */
import { SessionError } from '../SessionError.js'
import { toChecksumAddress } from './eip55.js'
import { isAuthority, isDateTime, isRequestId, isStatement, isUri } from './siweGrammar.js'

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
  /** RFC 3986 authority asking for the signature (`host[:port]`). */
  domain: string
  /** The account; written EIP-55 checksummed whatever case it comes in. */
  address: string
  /** One line of ASCII for the user to read (no line break). */
  statement?: string
  /** RFC 3986 URI the signature is for: for a capability, the session key's `did:key`. */
  uri: string
  /** Always `1` (the only version EIP-4361 defines). */
  version?: '1'
  chainId: number
  /** At least 8 letters and digits, handed out by the server. */
  nonce: string
  /** RFC 3339. */
  issuedAt: string
  expirationTime?: string
  notBefore?: string
  requestId?: string
  /** RFC 3986 URIs; an EIP-5573 ReCap (`urn:recap:…`) goes last. */
  resources?: string[]
}

function refuse(what: string): never {
  throw new SessionError('INVALID_PARAMS', `Not a valid EIP-4361 message: ${what}`)
}

/**
 * Checks every field against the EIP-4361 ABNF and returns them with the address checksummed.
 * Refuses anything a SIWE parser would reject, or that could smuggle a line into the message.
 *
 * @example
 * ```ts
 * const [address] = (await window.ethereum?.request({ method: 'eth_requestAccounts' })) as string[]
 * const checked = checkSiweFields({
 *   domain: location.host, address: address ?? '', uri: location.origin, chainId: 1,
 *   nonce: 'n8Kd3x9Qa2', issuedAt: new Date().toISOString(),
 * })
 * ```
 */
export function checkSiweFields(fields: SiweFields): SiweFields & { version: '1' } {
  if (!isAuthority(fields.domain)) refuse('the domain is not an RFC 3986 authority (host[:port])')
  const address = toChecksumAddress(fields.address)
  if (fields.statement !== undefined && !isStatement(fields.statement))
    refuse('the statement must be one line of printable ASCII')
  if (!isUri(fields.uri)) refuse('the URI is not an RFC 3986 URI')
  if (fields.version !== undefined && fields.version !== '1') refuse('the version must be 1')
  if (!Number.isSafeInteger(fields.chainId) || fields.chainId < 1)
    refuse('the chain id must be a positive integer')
  if (!/^[A-Za-z0-9]{8,}$/.test(fields.nonce)) refuse('the nonce must be at least 8 letters and digits')
  for (const [name, value] of [
    ['Issued At', fields.issuedAt],
    ['Expiration Time', fields.expirationTime],
    ['Not Before', fields.notBefore],
  ] as const) {
    if ((name === 'Issued At' || value !== undefined) && !isDateTime(value as string))
      refuse(`${name} must be an RFC 3339 date-time`)
  }
  if (fields.requestId !== undefined && !isRequestId(fields.requestId))
    refuse('the request id has characters RFC 3986 does not allow')
  for (const resource of fields.resources ?? []) {
    if (!isUri(resource)) refuse('a resource is not an RFC 3986 URI')
  }
  return { ...fields, address, version: '1' }
}

/**
 * The exact EIP-4361 text (line order and spelling matter: servers parse it, and a verifier
 * rebuilds it from a CACAO to check the signature). Fields are checked first: a bad one throws
 * `SessionError('INVALID_PARAMS')`.
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
  const f = checkSiweFields(fields)
  // Without a statement the ABNF still keeps its empty line: address, two blank lines, URI.
  const lines = [`${f.domain} wants you to sign in with your Ethereum account:`, f.address, '']
  lines.push(...(f.statement !== undefined ? [f.statement, ''] : ['']))
  lines.push(
    `URI: ${f.uri}`,
    `Version: ${f.version}`,
    `Chain ID: ${f.chainId}`,
    `Nonce: ${f.nonce}`,
    `Issued At: ${f.issuedAt}`,
  )
  if (f.expirationTime !== undefined) lines.push(`Expiration Time: ${f.expirationTime}`)
  if (f.notBefore !== undefined) lines.push(`Not Before: ${f.notBefore}`)
  if (f.requestId !== undefined) lines.push(`Request ID: ${f.requestId}`)
  if (f.resources?.length) lines.push('Resources:', ...f.resources.map((r) => `- ${r}`))
  return lines.join('\n')
}
