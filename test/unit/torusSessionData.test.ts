import { secp256k1 } from '@noble/curves/secp256k1.js'
import { encrypt, getPublic } from '@toruslabs/eccrypto'
import { encryptData, hexToBytes } from '@toruslabs/metadata-helpers'
import { StorageManager } from '@toruslabs/session-manager'
import { describe, expect, it } from 'vitest'
import { decryptTorusSessionData } from '../../src/endpoints/index.js'

/** Torus's own code writes the blobs: what a Torus backend's session_data really looks like. */
async function torusBlob(sessionId: string, data: unknown): Promise<string> {
  return encryptData(hexToBytes(sessionId), data)
}

describe("decryptTorusSessionData (Torus's ECIES session_data)", () => {
  it('reads what Torus encrypts, for many random session ids', async () => {
    // Shared points with leading zero bytes take eccrypto's padded/unpadded path; 40 ids cover both often enough.
    for (let i = 0; i < 40; i++) {
      const id = StorageManager.generateRandomSessionKey()
      const data = { userId: `u-${i}`, nested: { list: [1, 2, 3] }, text: 'héllo' }
      expect(await decryptTorusSessionData(id, await torusBlob(id, data))).toEqual(data)
    }
  })

  it("reads both of eccrypto's key derivations when the shared point starts with a zero byte", async () => {
    const id = StorageManager.generateRandomSessionKey()
    const publicKey = getPublic(hexToBytes(id))
    // Find an ephemeral key whose shared x starts with 0x00 (1 in 256), bounded.
    let ephemPrivateKey: Uint8Array | undefined
    for (let i = 0; i < 20_000 && !ephemPrivateKey; i++) {
      const candidate = secp256k1.utils.randomSecretKey()
      if (secp256k1.getSharedSecret(candidate, publicKey)[1] === 0) ephemPrivateKey = candidate
    }
    expect(ephemPrivateKey).toBeDefined()
    for (const padding of [true, false]) {
      const params = await encrypt(publicKey, new TextEncoder().encode('{"padded":true}'), {
        ephemPrivateKey: ephemPrivateKey as Uint8Array,
        padding,
      })
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
      const blob = JSON.stringify({
        iv: hex(params.iv),
        ephemPublicKey: hex(params.ephemPublicKey),
        ciphertext: hex(params.ciphertext),
        mac: hex(params.mac),
      })
      expect(await decryptTorusSessionData(id, blob)).toEqual({ padded: true })
    }
  })

  it('refuses a blob for another session id, an altered ciphertext or MAC, and garbage', async () => {
    const id = StorageManager.generateRandomSessionKey()
    const other = StorageManager.generateRandomSessionKey()
    const blob = await torusBlob(id, { userId: 'ada' })
    const envelope = JSON.parse(blob) as Record<string, string>
    const flip = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`
    const cases: Array<[string, string]> = [
      [other, blob],
      [id, JSON.stringify({ ...envelope, ciphertext: flip(envelope.ciphertext as string) })],
      [id, JSON.stringify({ ...envelope, mac: flip(envelope.mac as string) })],
      [id, JSON.stringify({ ...envelope, iv: flip(envelope.iv as string) })],
      [id, JSON.stringify({ ...envelope, ephemPublicKey: '04ff' })],
      [id, 'not json'],
      [id, '{}'],
    ]
    for (const [sessionId, sessionData] of cases) {
      await expect(decryptTorusSessionData(sessionId, sessionData)).rejects.toMatchObject({
        name: 'SessionError',
        code: 'INVALID_SESSION',
      })
    }
  })
})
