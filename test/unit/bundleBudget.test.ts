import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bundleSize, TESSERA_CLIENT_IMPORT, TESSERA_CORE_ENTRY } from '../bench/bundleSize.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('bundle budget', () => {
  // Budgets are regression guards at what this code measures today (min+gzip, esbuild, code-split),
  // counting the chunks the entry imports statically as first load. Issue 10 asks for 25 KB first
  // load and 32 KB in all for `import { createSessionClient }`; xstate (13.5 KB) and rxjs (3 KB)
  // alone take 16.5 KB of that. docs/benchmarks.md has the figures and what is left to do.
  it('import { createSessionClient }: first load and every lazy chunk stay within their budgets', async () => {
    const sizes = await bundleSize(TESSERA_CLIENT_IMPORT, root)
    expect(sizes.firstLoadGzip).toBeGreaterThan(15_000) // it really bundled xstate and rxjs
    expect(sizes.firstLoadGzip).toBeLessThanOrEqual(33.5 * 1024)
    expect(sizes.totalGzip).toBeLessThanOrEqual(48 * 1024)
    // What a page that only reads its session never downloads: sign-in and refresh work, idb, DPoP.
    expect(sizes.lazyGzip).toBeGreaterThan(10_000)
  }, 30_000)

  it('the whole core entry, and the core with tessera-session/oidc, stay within their budgets', async () => {
    const core = await bundleSize(TESSERA_CORE_ENTRY, root)
    expect(core.firstLoadGzip).toBeLessThanOrEqual(36 * 1024)
    expect(core.totalGzip).toBeLessThanOrEqual(50 * 1024)
    const withOidc = await bundleSize(
      `${TESSERA_CLIENT_IMPORT}\nexport * from '../../../../src/oidc/index.ts'`,
      root,
    )
    expect(withOidc.totalGzip).toBeLessThanOrEqual(59 * 1024)
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
