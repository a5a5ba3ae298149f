/** A real EIP-1193 wallet for tests: a secp256k1 key that signs personal_sign like MetaMask does. */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import type { Eip1193Provider } from '../../src/wallet/index.js'

/** EIP-191 hash of a personal message. */
export function personalMessageHash(message: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`)
  return keccak_256(new Uint8Array([...prefix, ...message]))
}

export function addressOf(uncompressedPublicKey: Uint8Array): string {
  return `0x${Buffer.from(keccak_256(uncompressedPublicKey.slice(1)).slice(-20)).toString('hex')}`
}

/** Recovers the signer's address from an Ethereum `r || s || v` signature. */
export function recoverAddress(message: string, signatureHex: string): string {
  const bytes = Buffer.from(signatureHex.replace(/^0x/, ''), 'hex')
  const v = bytes[64] as number
  const recovered = new Uint8Array([v >= 27 ? v - 27 : v, ...bytes.subarray(0, 64)])
  const hash = personalMessageHash(new TextEncoder().encode(message))
  const compressed = secp256k1.recoverPublicKey(recovered, hash, { prehash: false })
  return addressOf(secp256k1.Point.fromBytes(compressed).toBytes(false))
}

/**
 * A wallet with a fresh secp256k1 key. Like most wallets it shares its address in lowercase
 * (`shareAs` changes that); `messages` records every text it signed.
 */
export function testWallet(
  options: {
    chainId?: number
    reject?: boolean
    secret?: Uint8Array
    shareAs?: (address: string) => string
  } = {},
) {
  const secret = options.secret ?? secp256k1.utils.randomSecretKey()
  const address = addressOf(secp256k1.getPublicKey(secret, false))
  const calls: string[] = []
  const messages: string[] = []
  const provider: Eip1193Provider = {
    async request({ method, params }) {
      calls.push(method)
      if (options.reject && method === 'personal_sign') {
        throw Object.assign(new Error('User rejected the request.'), { code: 4001 })
      }
      if (method === 'eth_requestAccounts') return [options.shareAs ? options.shareAs(address) : address]
      if (method === 'eth_chainId') return `0x${(options.chainId ?? 1).toString(16)}`
      if (method === 'personal_sign') {
        const [hex, from] = params as [string, string]
        if (from.toLowerCase() !== address) throw new Error('unknown account')
        const bytes = Buffer.from(hex.slice(2), 'hex')
        messages.push(bytes.toString('utf8'))
        const hash = personalMessageHash(bytes)
        const sig = secp256k1.sign(hash, secret, { prehash: false, format: 'recovered' })
        const ethereum = new Uint8Array([...sig.subarray(1), (sig[0] as number) + 27])
        return `0x${Buffer.from(ethereum).toString('hex')}`
      }
      throw Object.assign(new Error(`Unsupported method ${method}`), { code: 4200 })
    },
  }
  return { provider, address, calls, messages, secret }
}

/** EIP-55, written out from the spec for tests: hex digits whose keccak nibble is ≥ 8 are upper case. */
export function checksummed(address: string): string {
  const hex = address.toLowerCase().replace(/^0x/, '')
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(hex))).toString('hex')
  let out = '0x'
  for (let i = 0; i < hex.length; i++)
    out += Number.parseInt(hash[i] as string, 16) >= 8 ? (hex[i] as string).toUpperCase() : hex[i]
  return out
}

/** The same address with the case of one letter flipped: a wrong EIP-55 checksum. */
export function wrongChecksum(address: string): string {
  const good = checksummed(address)
  const i = good.slice(2).search(/[a-fA-F]/) + 2
  const c = good[i] as string
  return good.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + good.slice(i + 1)
}
