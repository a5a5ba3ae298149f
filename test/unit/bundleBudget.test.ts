import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bundleSize, TESSERA_CLIENT_IMPORT, TESSERA_CORE_ENTRY } from '../bench/bundleSize.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('bundle budget', () => {
  // Bytes are min+gzip (level 9) from esbuild, code-split; first load counts the entry chunk and
  // every chunk it imports statically; total counts every chunk, the lazy work included.
  //
  // Issue 10 asks for `import { createSessionClient }` at most 25 KB on first load and 32 KB in
  // all, and at most 40 KB in all with tessera-session/oidc. Not met; these budgets are regression
  // guards at what the code measures today (+<=2%). On main 55bcaff it measured 33,866 first load
  // and 49,750 in all over 37 chunks; one lazy chunk (src/lazyWork.ts) instead of 25 tiny ones and
  // moving first-use code into it brought it to 31,294 and 42,383. What stands in the way:
  // - xstate's own code takes 13.5 KB of the first load and rxjs's Observable (with tslib, from
  //   rxjs's esm5 build, which bundlers pick unless told the `es2015` condition) 2.8 KB: 16.3 of
  //   the 25 KB. The first-party rest (~15 KB: the machine, which stays the one authority and
  //   must answer getSession() synchronously after restore, the storage with its parser of
  //   untrusted data, the client wiring) would have to halve, which no move behind the lazy
  //   boundary does without removing features or validation.
  // - The lazy work (sign-in, refresh coordination across tabs, fetch with DPoP, serialization,
  //   device access, key storage) is ~9.5 KB plus idb's 1.4 KB, already one chunk.
  // - tessera-session/oidc is oauth4webapi and the oidc steps: 13.1 KB alone, 12.5 KB on top of
  //   the client; 40 KB in all would need the client's total below its first load today.
  it('import { createSessionClient }: first load and every lazy chunk stay within their budgets', async () => {
    const sizes = await bundleSize(TESSERA_CLIENT_IMPORT, root)
    expect(sizes.firstLoadGzip).toBeGreaterThan(15_000) // it really bundled xstate and rxjs
    expect(sizes.firstLoadGzip).toBeLessThanOrEqual(31.1 * 1024) // measured 31,294 (target 25 KB)
    expect(sizes.totalGzip).toBeLessThanOrEqual(42.2 * 1024) // measured 42,383 (target 32 KB)
    // What a page that only reads its session never downloads: sign-in and refresh work, idb, DPoP.
    expect(sizes.lazyGzip).toBeGreaterThan(10_000)
    // The entry, the code it shares with the lazy work, the lazy work (src/lazyWork.ts) and idb:
    // a new import() outside lazyWork.ts splits off chunks again (main 55bcaff emitted 37).
    expect(sizes.chunks).toBeLessThanOrEqual(4)
  }, 30_000)

  it('the whole core entry, and the core with tessera-session/oidc, stay within their budgets', async () => {
    const core = await bundleSize(TESSERA_CORE_ENTRY, root)
    expect(core.firstLoadGzip).toBeLessThanOrEqual(33.6 * 1024) // measured 33,817
    expect(core.totalGzip).toBeLessThanOrEqual(44.4 * 1024) // measured 44,582
    const withOidc = await bundleSize(
      `${TESSERA_CLIENT_IMPORT}\nexport * from '../../../../src/oidc/index.ts'`,
      root,
    )
    expect(withOidc.totalGzip).toBeLessThanOrEqual(54.6 * 1024) // measured 54,865 (target 40 KB)
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
