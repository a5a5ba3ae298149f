/** Wallet and server code stay in their entries: the core entry a page loads carries none of it. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** Every source module in the browser bundle of `entry` (code-split chunks included). */
async function modulesOf(entry: string): Promise<string[]> {
  const dir = join(
    root,
    'node_modules',
    '.cache',
    `boundaries-${process.pid}-${Math.random().toString(36).slice(2)}`,
  )
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'entry.ts'), `export * from '${join(root, entry)}'`)
  try {
    const result = await build({
      entryPoints: [join(dir, 'entry.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      splitting: true,
      outdir: join(dir, 'out'),
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['node:*'],
    })
    return Object.keys(result.metafile.inputs)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('entry boundaries', () => {
  it('the core entry has no wallet, server, secp256k1 or keccak code', async () => {
    const modules = await modulesOf('src/index.ts')
    expect(modules.some((m) => m.includes('src/client/createSessionClient.ts'))).toBe(true)
    expect(modules.filter((m) => /src\/(wallet|server)\/|@noble\/|capability\/recap/.test(m))).toEqual([])
  }, 30_000)

  it('the core entry has no session kit and no @xstate/store; the kit entry has both', async () => {
    const core = await modulesOf('src/index.ts')
    expect(core.filter((m) => /src\/kit\/|@xstate\/store/.test(m))).toEqual([])
    const kit = await modulesOf('src/kit/index.ts')
    expect(kit.some((m) => m.includes('src/kit/createSessionKit.ts'))).toBe(true)
    expect(kit.some((m) => m.includes('@xstate/store'))).toBe(true)
  }, 30_000)

  it('the server entry needs no DOM and no client', async () => {
    const modules = await modulesOf('src/server/index.ts')
    expect(modules.some((m) => m.includes('@noble/curves'))).toBe(true)
    expect(modules.filter((m) => /src\/client\/|machines\/|xstate|rxjs|idb/.test(m))).toEqual([])
  }, 30_000)
})
