/** Test helpers: a real wallet signs a real capability for a real session key, and the key signs tokens. */
import type { Cacao } from '../../src/capability/cacao.js'
import { encodeRecap, type Recap, recapStatement } from '../../src/capability/recap.js'
import { createSessionKey } from '../../src/keys/createSessionKey.js'
import type { SessionKey } from '../../src/keys/SessionKey.js'
import { signSessionIdToken } from '../../src/keys/sessionIdToken.js'
import { cacaoFromSiwe, type SiweFields, siweMessage } from '../../src/wallet/index.js'
import { testWallet } from './testWallet.js'

export type TestWallet = ReturnType<typeof testWallet>

export interface CapabilityOptions {
  wallet?: TestWallet
  key?: SessionKey
  domain?: string
  chainId?: number
  statement?: string
  resources?: string[]
  recap?: Recap
  issuedAt?: Date
  expiresAt?: Date | null
  notBefore?: Date
  /** Sign with this wallet instead (a signature by another address). */
  signer?: TestWallet
}

const hexUtf8 = (text: string) => `0x${Buffer.from(text, 'utf8').toString('hex')}`

/** A capability signed through the wallet's EIP-1193 `personal_sign`, exactly as a browser wallet would. */
export async function makeCapability(options: CapabilityOptions = {}) {
  const wallet = options.wallet ?? testWallet()
  const key = options.key ?? (await createSessionKey())
  const issuedAt = options.issuedAt ?? new Date()
  const expiresAt =
    options.expiresAt === null
      ? undefined
      : (options.expiresAt ?? new Date(issuedAt.getTime() + 7 * 86400_000))
  const resources = [...(options.resources ?? ['https://api.example/posts'])]
  if (options.recap) resources.push(encodeRecap(options.recap))
  const fields: SiweFields = {
    domain: options.domain ?? 'dapp.example',
    address: wallet.address,
    statement: [
      options.statement ?? 'Let this key act for me.',
      ...(options.recap ? [recapStatement(options.recap)] : []),
    ].join(' '),
    uri: key.did,
    chainId: options.chainId ?? 1,
    nonce: `n${Math.random().toString(36).slice(2, 12)}`,
    issuedAt: issuedAt.toISOString(),
    ...(expiresAt ? { expirationTime: expiresAt.toISOString() } : {}),
    ...(options.notBefore ? { notBefore: options.notBefore.toISOString() } : {}),
    ...(resources.length ? { resources } : {}),
  }
  const message = siweMessage(fields)
  const signer = options.signer ?? wallet
  const signature = (await signer.provider.request({
    method: 'personal_sign',
    params: [hexUtf8(message), signer.address],
  })) as string
  const cacao: Cacao = cacaoFromSiwe(fields, signature)
  return { cacao, message, key, wallet, fields }
}

/** The token a tessera wallet session's `getIdToken()` makes: a session-key JWT with the CACAO. */
export function sessionToken(
  key: SessionKey,
  cacao: unknown,
  options: { now?: Date; ttlSeconds?: number; subject?: string; customClaims?: Record<string, unknown> } = {},
): Promise<string> {
  return signSessionIdToken(key, {
    subject: options.subject ?? (cacao as Cacao).p.iss,
    nowSeconds: Math.floor((options.now ?? new Date()).getTime() / 1000),
    ttlSeconds: options.ttlSeconds ?? 300,
    customClaims: { ...options.customClaims, cacao },
  })
}
