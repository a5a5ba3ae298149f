import { base64url } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  deriveSessionDataKeys,
  generateSessionDataId,
  openSessionData,
  parseSessionDataId,
  sealSessionData,
} from '../../src/sessionData/index.js'

describe('session data keys (HKDF-SHA-256 → lookup id + AES-256-GCM)', () => {
  it('makes 32-byte random ids, and refuses anything but 32 bytes of hex', () => {
    const ids = new Set(Array.from({ length: 50 }, () => generateSessionDataId()))
    expect(ids.size).toBe(50)
    for (const id of ids) expect(id).toMatch(/^0x[0-9a-f]{64}$/)
    const id = [...ids][0] as string
    expect(parseSessionDataId(id.slice(2).toUpperCase())).toBe(id)
    for (const bad of ['0x1234', `0x${'g'.repeat(64)}`, `${id}00`, '']) {
      expect(() => parseSessionDataId(bad)).toThrow(expect.objectContaining({ code: 'INVALID_PARAMS' }))
    }
  })

  it('derives the same lookup id and key for the same id, and a lookup id that reveals neither', async () => {
    const id = generateSessionDataId()
    const a = await deriveSessionDataKeys(id)
    const b = await deriveSessionDataKeys(id.toUpperCase().replace('0X', '0x'))
    expect(a.lookupId).toBe(b.lookupId)
    expect(a.lookupId).toMatch(/^[0-9a-f]{64}$/)
    expect(a.lookupId).not.toBe(id.slice(2))
    expect(a.key.extractable).toBe(false)
    // One key opens what the other sealed: the same key from the same id.
    expect(await openSessionData(b, 'app', await sealSessionData(a, 'app', { n: 1 }))).toEqual({ n: 1 })
    expect((await deriveSessionDataKeys(generateSessionDataId())).lookupId).not.toBe(a.lookupId)
  })

  it('seals with a fresh IV each time and opens what it sealed', async () => {
    const keys = await deriveSessionDataKeys(generateSessionDataId())
    const data = { userId: '123', nested: { list: [1, 'two', null] }, text: 'héllo' }
    const one = await sealSessionData(keys, 'app', data)
    const two = await sealSessionData(keys, 'app', data)
    expect(one).not.toBe(two)
    expect(one).toMatch(/^v1\.[\w-]+\.[\w-]+$/)
    expect(one).not.toContain('123')
    expect(await openSessionData(keys, 'app', one)).toEqual(data)
  })

  it('refuses with INVALID_SESSION: a flipped bit anywhere, another id, another namespace, garbage', async () => {
    const id = generateSessionDataId()
    const keys = await deriveSessionDataKeys(id)
    const blob = await sealSessionData(keys, 'app', { userId: '123' })
    const [v, iv, sealed] = blob.split('.') as [string, string, string]
    const flipAt = (b64: string, at: number) => {
      const bytes = base64url.decode(b64)
      bytes[at] = (bytes[at] as number) ^ 0x01
      return base64url.encode(bytes)
    }
    const sealedLength = base64url.decode(sealed).length
    const attempts: Array<[typeof keys, string, string]> = [
      [keys, 'app', `${v}.${flipAt(iv, 0)}.${sealed}`],
      [keys, 'app', `${v}.${iv}.${flipAt(sealed, 0)}`],
      [keys, 'app', `${v}.${iv}.${flipAt(sealed, sealedLength - 1)}`], // the tag
      [keys, 'app', `${v}.${iv}.${sealed.slice(0, -4)}`],
      [keys, 'other-app', blob],
      [await deriveSessionDataKeys(generateSessionDataId()), 'app', blob],
      [keys, 'app', `v2.${iv}.${sealed}`],
      [keys, 'app', 'not a blob'],
      [keys, 'app', ''],
    ]
    for (const [k, namespace, text] of attempts) {
      await expect(openSessionData(k, namespace, text)).rejects.toMatchObject({
        name: 'SessionError',
        code: 'INVALID_SESSION',
      })
    }
  })
})
