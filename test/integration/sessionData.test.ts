import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type SessionDataStore,
  type StoredBlob,
  sessionDataStore,
} from '../../docs/demo/server/sessionDataStore.js'
import {
  deriveSessionDataKeys,
  encryptedSessionData,
  generateSessionDataId,
} from '../../src/sessionData/index.js'

describe('encryptedSessionData against the demo store (Node)', () => {
  let server: Server
  let store: SessionDataStore
  let base: string
  beforeAll(async () => {
    store = sessionDataStore('/session-data')
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (path.startsWith('/session-data/')) return store.handle(req, res, path)
      if (path.startsWith('/hang/')) return // never answers
      res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )

  it('creates, reads from a second holder of the id, updates, and invalidates', async () => {
    const sessionId = generateSessionDataId()
    const mine = encryptedSessionData<{ userId: string; step?: number }>({
      url: `${base}/session-data`,
      sessionId,
      namespace: 'shop',
    })
    await mine.create({ userId: 'u-123' })
    const theirs = encryptedSessionData<{ userId: string; step?: number }>({
      url: `${base}/session-data/`,
      sessionId,
      namespace: 'shop',
    })
    expect(await theirs.read()).toEqual({ userId: 'u-123' })
    await theirs.update({ userId: 'u-123', step: 2 })
    expect(await mine.read()).toEqual({ userId: 'u-123', step: 2 })
    await mine.invalidate()
    await expect(theirs.read()).rejects.toMatchObject({ code: 'NO_SESSION' })
    await expect(theirs.update({ userId: 'x' })).rejects.toMatchObject({ code: 'NO_SESSION' })
    await mine.invalidate() // idempotent
  })

  it('the server never sees the session id or the data, only a lookup id and ciphertext', async () => {
    const sessionId = generateSessionDataId()
    const before = store.requests.length
    const data = encryptedSessionData({ url: `${base}/session-data`, sessionId, namespace: 'shop' })
    await data.create({ secret: 'correct horse battery staple' })
    await data.read()
    await data.update({ secret: 'tr0ub4dor&3' })
    const seen = JSON.stringify(store.requests.slice(before)) + JSON.stringify([...store.blobs])
    expect(seen).not.toContain(sessionId.slice(2))
    expect(seen).not.toContain('correct horse')
    expect(seen).not.toContain('tr0ub4dor')
    expect(store.requests.slice(before).map((r) => r.method)).toEqual(['POST', 'GET', 'PUT'])
  })

  it('a blob altered or swapped in by the server is refused with INVALID_SESSION', async () => {
    const [idA, idB] = [generateSessionDataId(), generateSessionDataId()]
    const a = encryptedSessionData({ url: `${base}/session-data`, sessionId: idA })
    await a.create({ who: 'a' })
    await encryptedSessionData({ url: `${base}/session-data`, sessionId: idB }).create({ who: 'b' })
    const slotA = `default/${(await deriveSessionDataKeys(idA)).lookupId}`
    const slotB = `default/${(await deriveSessionDataKeys(idB)).lookupId}`
    const original = store.blobs.get(slotA) as StoredBlob
    const serve = (blob: string) => store.blobs.set(slotA, { ...original, blob })

    serve((store.blobs.get(slotB) as StoredBlob).blob) // b's valid blob filed under a's lookup id
    await expect(a.read()).rejects.toMatchObject({ code: 'INVALID_SESSION' })
    const flipped = original.blob.at(-2) === 'A' ? 'B' : 'A'
    serve(`${original.blob.slice(0, -2)}${flipped}${original.blob.at(-1)}`) // one character of the ciphertext
    await expect(a.read()).rejects.toMatchObject({ code: 'INVALID_SESSION' })
    serve(original.blob)
    expect(await a.read()).toEqual({ who: 'a' })
  })

  it('an unreachable or silent server is NETWORK or TIMEOUT, and bad input is INVALID_PARAMS', async () => {
    const sessionId = generateSessionDataId()
    await expect(
      encryptedSessionData({ url: 'http://127.0.0.1:9/session-data', sessionId }).read(),
    ).rejects.toMatchObject({ code: 'NETWORK' })
    await expect(
      encryptedSessionData({ url: `${base}/hang`, sessionId, timeoutMs: 100 }).read(),
    ).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(() => encryptedSessionData({ url: base, sessionId: '0x1234' })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMS' }),
    )
    expect(() => encryptedSessionData({ url: base, sessionId, namespace: 'a/b' })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMS' }),
    )
    const data = encryptedSessionData({ url: `${base}/session-data`, sessionId })
    await expect(data.create(undefined)).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    await expect(data.create({}, { ttlSeconds: 0 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
  })
})
