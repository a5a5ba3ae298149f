/**
 * The key database (issue 9, item 18): an open that hangs is timed out and the next call opens
 * again, instead of every later call waiting on the one hung open for the life of the page.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { keyDatabase } from '../../src/keys/keyDatabase.js'

const unique = (name: string) => `${name}-${crypto.randomUUID()}`

/**
 * A database whose every open waits: a connection that never yields to versionchange, and a
 * delete queued behind it (as in indexedDbStorage.test.ts). Returns the holder to close.
 */
async function hungDatabase(name: string): Promise<IDBDatabase> {
  const holder = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, 1)
    req.onupgradeneeded = () => req.result.createObjectStore('kv')
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  indexedDB.deleteDatabase(name)
  return holder
}

describe('keyDatabase in Chromium', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup()
  })

  it('a hung open is timed out, and the next call opens again instead of waiting on it', async () => {
    const hung = unique('hung')
    const holder = await hungDatabase(hung)
    cleanups.push(() => holder.close())
    // The first open lands on the hung database (a real IDBOpenDBRequest that never fires while
    // the holder lives); later opens reach the key database itself. This stands in for the browser
    // bug behind firebase-js-sdk #10311, where one open never settles but a new one would.
    const factory = indexedDB
    const realOpen = factory.open
    let opens = 0
    factory.open = function (this: IDBFactory, name: string, version?: number) {
      opens++
      return realOpen.call(this, opens === 1 ? hung : name, version)
    } as IDBFactory['open']
    cleanups.push(() => {
      factory.open = realOpen
    })

    const db = keyDatabase(unique('keys'), 300)
    await expect(db.get('sessionKeys', 'k')).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(opens).toBe(1)

    // The first open is still hung; a new call must not wait on it.
    expect(await db.get('sessionKeys', 'k')).toBeNull()
    expect(opens).toBe(2)
    await db.put('sessionKeys', 'k', { note: 'stored after the retry' })
    expect(await db.get('sessionKeys', 'k')).toEqual({ note: 'stored after the retry' })
    expect(opens).toBe(2) // the good connection is kept
  })

  it('a database that cannot be opened yet is retried on every call until it can', async () => {
    const name = unique('blocked')
    const holder = await hungDatabase(name)
    const db = keyDatabase(name, 200)
    await expect(db.get('storageKeys', 'k')).rejects.toMatchObject({ code: 'TIMEOUT' })
    holder.close() // the queued delete runs, then the key database can be opened
    let value: unknown = 'unread'
    for (let attempt = 0; attempt < 20 && value === 'unread'; attempt++) {
      value = await db.get('storageKeys', 'k').catch(() => 'unread')
    }
    expect(value).toBeNull()
  })
})
