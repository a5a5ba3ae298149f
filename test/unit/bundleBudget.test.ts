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

  it('passkey code is only in tessera-session/passkey, which stays small', async () => {
    const core = await bundleSize(TESSERA_CORE_ENTRY, root)
    expect(core.inputs.some((path) => path.startsWith('src/'))).toBe(true) // the inputs are really listed
    expect(core.inputs.filter((path) => /src\/passkey\/|@simplewebauthn/.test(path))).toEqual([])
    const entry = await bundleSize(`export * from '../../../../src/passkey/index.ts'`, root)
    expect(entry.inputs.some((path) => path.includes('@simplewebauthn/browser'))).toBe(true)
    expect(entry.totalGzip).toBeLessThanOrEqual(8 * 1024)
  }, 30_000)

  it("tessera-session/endpoints and /session-data stay small; Torus's secp256k1 code loads only on first use", async () => {
    const endpoints = await bundleSize(`export * from '../../../../src/endpoints/index.ts'`, root)
    expect(endpoints.entryGzip).toBeLessThanOrEqual(5 * 1024)
    // noble-curves' secp256k1, for Torus's ECIES session_data: fetched when a blob is first decrypted.
    expect(endpoints.lazyGzip).toBeGreaterThan(10_000)
    expect(endpoints.lazyGzip).toBeLessThanOrEqual(32 * 1024)
    const sessionData = await bundleSize(`export * from '../../../../src/sessionData/index.ts'`, root)
    expect(sessionData.entryGzip).toBeLessThanOrEqual(4 * 1024)
    expect(sessionData.lazyGzip).toBe(0)
  }, 30_000)
})
