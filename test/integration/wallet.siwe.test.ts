/** Issue 9 item 7: every SIWE message tessera builds is EIP-4361, checked by a real parser. */
import { isEIP55Address, ParsedMessage } from '@spruceid/siwe-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SiweFields, siweMessage, wallet } from '../../src/wallet/index.js'
import { testClient } from '../kit/testClient.js'
import { startSiweServer } from '../utils/siweServer.js'
import { checksummed, testWallet, wrongChecksum } from '../utils/testWallet.js'

const ADDRESS = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'
const base: SiweFields = {
  domain: 'dapp.example',
  address: checksummed(ADDRESS),
  statement: 'Sign in to the dapp.',
  uri: 'https://dapp.example',
  chainId: 1,
  nonce: 'abcdef123',
  issuedAt: '2026-01-01T00:00:00.000Z',
}

/** Parses with Spruce's ABNF parser (throws on anything that is not EIP-4361) and returns its fields. */
function parse(message: string) {
  const m = new ParsedMessage(message)
  return {
    domain: m.domain,
    address: m.address,
    statement: m.statement,
    uri: m.uri,
    version: m.version,
    chainId: m.chainId,
    nonce: m.nonce,
    issuedAt: m.issuedAt,
    expirationTime: m.expirationTime,
    notBefore: m.notBefore,
    requestId: m.requestId,
    resources: m.resources,
  }
}

describe('SIWE messages are EIP-4361 (issue 9, item 7)', () => {
  let siwe: Awaited<ReturnType<typeof startSiweServer>>
  beforeAll(async () => {
    siwe = await startSiweServer()
  })
  afterAll(async () => {
    await siwe.close()
  })
  const clientFor = (w: ReturnType<typeof testWallet>, extra: Partial<Parameters<typeof wallet>[0]> = {}) =>
    testClient({
      methods: [
        wallet({
          provider: w.provider,
          nonceUrl: `${siwe.url}/nonce`,
          verifyUrl: `${siwe.url}/verify`,
          domain: 'dapp.example',
          uri: 'https://dapp.example',
          ...extra,
        }),
      ],
    }).client

  it('the lowercase address a wallet shares goes into the message EIP-55 checksummed, and the message parses', async () => {
    const w = testWallet({ chainId: 137 })
    expect(w.address).toBe(w.address.toLowerCase())
    const session = await clientFor(w, { statement: 'Sign in to the dapp.' }).signIn()
    const parsed = parse(w.messages[0] as string)
    expect(isEIP55Address(parsed.address)).toBe(true)
    expect(parsed.address).toBe(checksummed(w.address))
    expect(parsed.chainId).toBe(137)
    expect(session.address).toBe(checksummed(w.address))
    expect(session.subject).toBe(`eip155:137:${checksummed(w.address)}`)
  })

  it('a wallet that shares a mixed-case address with a wrong checksum is refused before anything is signed', async () => {
    const w = testWallet({ shareAs: wrongChecksum })
    const client = clientFor(w)
    await expect(client.signIn()).rejects.toMatchObject({ code: 'SIGN_IN_FAILED', message: /checksum/ })
    expect(w.calls).not.toContain('personal_sign')
    expect(client.getStatus()).toBe('signedOut')
  })

  it('a correctly checksummed or upper-case address is accepted and written checksummed', () => {
    for (const address of [checksummed(ADDRESS), ADDRESS, `0x${ADDRESS.slice(2).toUpperCase()}`]) {
      expect(parse(siweMessage({ ...base, address })).address).toBe(checksummed(ADDRESS))
    }
  })

  it.each<[string, Partial<SiweFields>]>([
    ['a newline in the statement', { statement: 'line one\nline two' }],
    ['a carriage return in the statement', { statement: 'line one\rline two' }],
    ['a statement outside the ABNF (non-ASCII)', { statement: 'Bienvenue à bord' }],
    ['a newline in a resource', { resources: ['https://a.example/x\n- https://evil.example'] }],
    ['a resource that is not a URI', { resources: ['not a uri'] }],
    ['a bad percent-encoding in a resource', { resources: ['urn:x:%zz'] }],
    ['a domain with a path', { domain: 'dapp.example/login' }],
    ['a domain with a space', { domain: 'dapp example' }],
    ['a domain with a newline', { domain: 'evil.example\nURI: x' }],
    ['an empty domain', { domain: '' }],
    ['a URI without a scheme', { uri: '//dapp.example' }],
    ['a URI with a space', { uri: 'https://dapp.example/a b' }],
    ['chain id 0', { chainId: 0 }],
    ['a fractional chain id', { chainId: 1.5 }],
    ['a negative chain id', { chainId: -1 }],
    ['a nonce under 8 characters', { nonce: 'abc123' }],
    ['a nonce with punctuation', { nonce: 'abcdef12-3' }],
    ['an issued-at that is not RFC 3339', { issuedAt: '2026-01-01 00:00:00Z' }],
    ['an issued-at that does not exist', { issuedAt: '2026-02-30T00:00:00Z' }],
    ['an expiration that is not RFC 3339', { expirationTime: 'tomorrow' }],
    ['a not-before that is not RFC 3339', { notBefore: '1767225600' }],
    ['a request id with a space', { requestId: 'a b' }],
    ['a request id with a slash', { requestId: 'a/b' }],
    ['a mixed-case address with a wrong checksum', { address: wrongChecksum(ADDRESS) }],
    ['an address of the wrong length', { address: '0x1234' }],
  ])('refuses %s with INVALID_PARAMS', (_, change) => {
    expect(() => siweMessage({ ...base, ...change })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMS' }),
    )
  })

  it('every message siweMessage builds parses, field for field', () => {
    const variants: SiweFields[] = [
      base,
      { ...base, statement: undefined },
      { ...base, statement: "It's fine: (1) 'ceramic': 'write' for 'ceramic://*'." },
      { ...base, domain: 'localhost:5173', uri: 'http://localhost:5173/' },
      { ...base, domain: '127.0.0.1:8080', chainId: 11155111 },
      { ...base, domain: '[::1]:3000' },
      { ...base, uri: 'did:key:zDnaeWgbpcUat3VPa1GxAfGq6wFQ6FuvWs6zvHFB5sxmD7iA3' },
      { ...base, issuedAt: '2026-01-01T00:00:00+02:00', expirationTime: '2026-01-08T00:00:00.5Z' },
      { ...base, notBefore: '2026-01-01T00:00:00Z', requestId: 'req-1:@!$' },
      {
        ...base,
        resources: [
          'ceramic://*',
          'ceramic://*?model=kjzl6hvfrbw6c7keo17n66rxyo21nqqaa9lh491jz16od43nokz7ksfcvzi6bwc',
          'https://api.example/posts?x=1#top',
          'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
          'urn:recap:eyJhdHQiOnt9LCJwcmYiOltdfQ',
        ],
      },
    ]
    for (const fields of variants) {
      const parsed = parse(siweMessage(fields))
      expect(parsed).toEqual({
        domain: fields.domain,
        address: checksummed(fields.address),
        statement: fields.statement,
        uri: fields.uri,
        version: '1',
        chainId: fields.chainId,
        nonce: fields.nonce,
        issuedAt: fields.issuedAt,
        expirationTime: fields.expirationTime,
        notBefore: fields.notBefore,
        requestId: fields.requestId,
        resources: fields.resources,
      })
    }
  })
})
