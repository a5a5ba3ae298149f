/** The EIP-4361 ABNF for each field of a SIWE message (RFC 3986 URIs, RFC 3339 times), as checks. */

// RFC 3986 character classes.
const UNRESERVED = 'A-Za-z0-9\\-._~'
const SUB_DELIMS = "!$&'()*+,;="
const PCT = '%[0-9A-Fa-f]{2}'
const PCHAR = `(?:[${UNRESERVED}${SUB_DELIMS}:@]|${PCT})`
const REG_NAME = `(?:[${UNRESERVED}${SUB_DELIMS}]|${PCT})*`
const USERINFO = `(?:[${UNRESERVED}${SUB_DELIMS}:]|${PCT})*`
// IP-literal, loosely: an IPv6 (or IPvFuture) address in brackets.
const IP_LITERAL = '\\[[0-9A-Fa-f:.vV]+\\]'
const AUTHORITY = `(?:${USERINFO}@)?(?:${IP_LITERAL}|${REG_NAME})(?::[0-9]*)?`
const PATH = `(?:${PCHAR}|/)*`
const QUERY = `(?:${PCHAR}|[/?])*`

const authorityPattern = new RegExp(`^${AUTHORITY}$`)
const uriPattern = new RegExp(
  `^[A-Za-z][A-Za-z0-9+.\\-]*:(?://${AUTHORITY})?${PATH}(?:\\?${QUERY})?(?:#${QUERY})?$`,
)
const requestIdPattern = new RegExp(`^${PCHAR}*$`)
// The statement: reserved, unreserved and space characters, never a line break.
const statementPattern = new RegExp(`^[${UNRESERVED}${SUB_DELIMS}:/?#\\[\\]@ ]*$`)
const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/

/**
 * True for an RFC 3986 authority (`host`, `host:port`, `user@host:port`, `[::1]:80`): the SIWE `domain`.
 *
 * @example
 * ```ts
 * isAuthority('localhost:5173') // true
 * ```
 */
export function isAuthority(value: string): boolean {
  return value.length > 0 && authorityPattern.test(value)
}

/**
 * True for an RFC 3986 URI with a scheme (`https://…`, `did:key:…`, `urn:recap:…`, `ceramic://*`).
 *
 * @example
 * ```ts
 * isUri('did:key:zDnae…') // true
 * ```
 */
export function isUri(value: string): boolean {
  return uriPattern.test(value)
}

/**
 * True for a SIWE statement: printable ASCII of the URI character set and spaces, no line break.
 *
 * @example
 * ```ts
 * isStatement('Sign in to the dapp.') // true
 * ```
 */
export function isStatement(value: string): boolean {
  return statementPattern.test(value)
}

/**
 * True for a SIWE `Request ID` (RFC 3986 `*pchar`).
 *
 * @example
 * ```ts
 * isRequestId('req-1') // true
 * ```
 */
export function isRequestId(value: string): boolean {
  return requestIdPattern.test(value)
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * True for an RFC 3339 `date-time` that exists on the calendar (no 30 February).
 *
 * @example
 * ```ts
 * isDateTime('2026-01-01T00:00:00.000Z') // true
 * ```
 */
export function isDateTime(value: string): boolean {
  const m = dateTimePattern.exec(value)
  if (!m) return false
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[]
  const leap = (year as number) % 4 === 0 && ((year as number) % 100 !== 0 || (year as number) % 400 === 0)
  const maxDay = month === 2 && !leap ? 28 : (DAYS[(month as number) - 1] ?? 0)
  const offsetOk = m[7] === undefined || (Number(m[7]) < 24 && Number(m[8]) < 60)
  return (
    (month as number) >= 1 &&
    (month as number) <= 12 &&
    (day as number) >= 1 &&
    (day as number) <= maxDay &&
    (hour as number) < 24 &&
    (minute as number) < 60 &&
    (second as number) <= 60 &&
    offsetOk
  )
}
