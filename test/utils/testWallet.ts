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

export function testWallet(options: { chainId?: number; reject?: boolean } = {}) {
  const secret = secp256k1.utils.randomSecretKey()
  const address = addressOf(secp256k1.getPublicKey(secret, false))
  const calls: string[] = []
  const provider: Eip1193Provider = {
    async request({ method, params }) {
      calls.push(method)
      if (options.reject && method === 'personal_sign') {
        throw Object.assign(new Error('User rejected the request.'), { code: 4001 })
      }
      if (method === 'eth_requestAccounts') return [address]
      if (method === 'eth_chainId') return `0x${(options.chainId ?? 1).toString(16)}`
      if (method === 'personal_sign') {
        const [hex, from] = params as [string, string]
        if (from.toLowerCase() !== address) throw new Error('unknown account')
        const hash = personalMessageHash(Buffer.from(hex.slice(2), 'hex'))
        const sig = secp256k1.sign(hash, secret, { prehash: false, format: 'recovered' })
        const ethereum = new Uint8Array([...sig.subarray(1), (sig[0] as number) + 27])
        return `0x${Buffer.from(ethereum).toString('hex')}`
      }
      throw Object.assign(new Error(`Unsupported method ${method}`), { code: 4200 })
    },
  }
  return { provider, address, calls }
}
