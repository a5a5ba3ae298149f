/**
 * Issue 8, item 6 (audit): without Web Locks the refresh lock is an IndexedDB lease. It must not
 * lapse while the refresh it guards is still running (it used to last refreshTimeoutMs + 1 s),
 * and what the lease database hands back goes through the one parser.
 */
import { describe, expect, it } from 'vitest'
import { defaultEnvironment } from '../../src/environment/Environment.js'
import { leaseLock } from '../../src/sync/refreshLock.js'
import { syncDatabase } from '../../src/sync/syncDatabase.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the IndexedDB refresh lease (real IndexedDB)', () => {
  it('a work that outlives the lease length keeps the lease: another tab enters only after it settles', async () => {
    const env = defaultEnvironment()
    const key = `lease-${crypto.randomUUID()}`
    // Two tabs: their own connections to the one database, their own owner ids.
    const dbA = syncDatabase({ timeoutMs: 3000 })
    const dbB = syncDatabase({ timeoutMs: 3000 })
    const a = leaseLock(dbA, key, 'tab-a', { lockTimeoutMs: 5000, leaseMs: 300 }, env)
    const b = leaseLock(dbB, key, 'tab-b', { lockTimeoutMs: 5000, leaseMs: 300 }, env)
    const log: string[] = []
    const signal = new AbortController().signal
    let entered!: () => void
    const aEntered = new Promise<void>((resolve) => {
      entered = resolve
    })
    const first = a.hold(signal, async () => {
      log.push('a in')
      entered()
      await sleep(1200) // four lease lengths
      log.push('a out')
    })
    await aEntered
    const second = b.hold(signal, async () => {
      log.push('b in')
    })
    await Promise.all([first, second])
    expect(log).toEqual(['a in', 'a out', 'b in'])
    dbA.close()
    dbB.close()
  })

  it('a marker in the lease database that is not a session reference reads as none; a valid one reads back without extra fields', async () => {
    const key = `marker-${crypto.randomUUID()}`
    const db = syncDatabase({ timeoutMs: 3000 })
    await db.putMarker(key, { id: 's1', signedInAt: 1, generation: 2, obtainedAt: 3 })
    expect(await db.getMarker(key)).toEqual({ id: 's1', signedInAt: 1, generation: 2, obtainedAt: 3 })
    db.close()
    // Another script of the origin writes what it likes into the shared database.
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('tessera-sync')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    const put = (value: unknown) =>
      new Promise<void>((resolve, reject) => {
        const tx = raw.transaction('markers', 'readwrite')
        tx.objectStore('markers').put(value, key)
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
      })
    const again = () => {
      const d = syncDatabase({ timeoutMs: 3000 })
      return d.getMarker(key).finally(() => d.close())
    }
    await put({ id: 's1', signedInAt: 1, generation: -1, obtainedAt: 3 })
    expect(await again()).toBeNull()
    await put({ id: 42, signedInAt: 1, generation: 1, obtainedAt: 3 })
    expect(await again()).toBeNull()
    await put({ id: 's1', signedInAt: 1, generation: 1, obtainedAt: 3, refreshToken: 'rt-secret' })
    expect(await again()).toEqual({ id: 's1', signedInAt: 1, generation: 1, obtainedAt: 3 })
    raw.close()
  })
})
