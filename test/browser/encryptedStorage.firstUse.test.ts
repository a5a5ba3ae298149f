/**
 * encryptedStorage's first use in two tabs at once (issue 9, item 12): one AES key is created, so
 * each tab reads what the other wrote, and nothing is deleted as undecryptable. Two instances with
 * their own IndexedDB connections race as two tabs of one origin would.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { encryptedStorage, webStorage } from '../../src/index.js'

describe('encryptedStorage first use in two tabs', () => {
  afterEach(() => localStorage.clear())

  it('two tabs starting together share one key: each reads the other, nothing is deleted', async () => {
    // Several rounds, each with a fresh key name: the race is decided by timing, so give it chances.
    for (let round = 0; round < 5; round++) {
      const keyName = crypto.randomUUID()
      const tabA = encryptedStorage(webStorage(localStorage), { keyName })
      const tabB = encryptedStorage(webStorage(localStorage), { keyName })
      const a = `tab-a-${round}`
      const b = `tab-b-${round}`
      await Promise.all([tabA.set(a, 'written by A'), tabB.set(b, 'written by B')])

      expect(await tabA.get(b)).toBe('written by B')
      expect(await tabB.get(a)).toBe('written by A')
      // A reload (a third instance) reads both as well.
      const reloaded = encryptedStorage(webStorage(localStorage), { keyName })
      expect(await reloaded.get(a)).toBe('written by A')
      expect(await reloaded.get(b)).toBe('written by B')
      expect(localStorage.getItem(a)).toMatch(/^tsr-aesgcm\.v1\./)
      expect(localStorage.getItem(b)).toMatch(/^tsr-aesgcm\.v1\./)
    }
  })

  it('many instances racing on first use all end up with the one stored key', async () => {
    const keyName = crypto.randomUUID()
    const tabs = Array.from({ length: 6 }, () => encryptedStorage(webStorage(localStorage), { keyName }))
    await Promise.all(tabs.map((tab, i) => tab.set(`k${i}`, `v${i}`)))
    for (const tab of tabs) {
      for (let i = 0; i < tabs.length; i++) expect(await tab.get(`k${i}`)).toBe(`v${i}`)
    }
  })
})
