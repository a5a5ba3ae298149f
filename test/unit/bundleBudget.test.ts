import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bundleSize, TESSERA_CORE_ENTRY } from '../bench/bundleSize.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('bundle budget', () => {
  it('the tessera core entry a page loads is at most 30 KB min+gzip for the browser', async () => {
    const sizes = await bundleSize(TESSERA_CORE_ENTRY, root)
    expect(sizes.entryGzip).toBeGreaterThan(15_000) // it really bundled xstate, rxjs and jose
    expect(sizes.entryGzip).toBeLessThanOrEqual(30 * 1024)
    // What loads on first use (jose's signer, idb) stays small too.
    expect(sizes.lazyGzip).toBeLessThanOrEqual(12 * 1024)
  }, 30_000)
})
