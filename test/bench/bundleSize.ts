/** Measures min+gzip bundle sizes with one esbuild command, so every entry is compared alike. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

/**
 * Sizes in bytes. `firstLoad` is what a page downloads before it runs: the entry chunk and every
 * chunk it imports statically (esbuild moves shared code into chunks, so the entry chunk alone
 * understates it). `lazy` is what loads on first use of a feature (dynamic `import()`: the sign-in
 * and refresh work, DPoP, serialization, idb); `total` is all of it.
 */
export interface BundleSizes {
  entryRaw: number
  /** The entry chunk alone. */
  entryGzip: number
  firstLoadGzip: number
  lazyGzip: number
  totalGzip: number
  /** How many chunks esbuild emitted: each is fetched and gzipped apart, so each costs bytes of its own. */
  chunks: number
  /** Every source file that went into the bundle, relative to `root` (esbuild's metafile). */
  inputs: string[]
}

const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).byteLength

/**
 * Bundles `contents` (an ESM module that imports what an app would import) for the browser,
 * minified and code-split the way app bundlers ship it, and returns the sizes.
 *
 * @example
 * ```ts
 * await bundleSize(`export * from '../../src/index.ts'`, process.cwd())
 * ```
 */
export async function bundleSize(contents: string, root: string): Promise<BundleSizes> {
  const dir = join(
    root,
    'node_modules',
    '.cache',
    'tessera-bench',
    `entry-${process.pid}-${Math.random().toString(36).slice(2)}`,
  )
  mkdirSync(dir, { recursive: true })
  const entry = join(dir, 'entry.ts')
  writeFileSync(entry, contents)
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      splitting: true,
      outdir: join(dir, 'out'),
      write: false,
      logLevel: 'silent',
      metafile: true,
      define: { 'process.env.NODE_ENV': '"production"' },
      // Peers' packages sometimes reference Node built-ins behind runtime checks; they stay out.
      external: ['node:*', 'crypto', 'buffer'],
      // The peers are installed in their own package (test/bench/peers), not in the repository's.
      nodePaths: [join(root, 'test', 'bench', 'peers', 'node_modules')],
    })
    const files = result.outputFiles.filter((f) => f.path.endsWith('.js'))
    const entryFile = files.find((f) => f.path.endsWith('entry.js'))
    if (!entryFile) throw new Error('esbuild produced no entry chunk')
    // Follow the entry's static imports through the metafile: those chunks load up front too.
    const outputs = result.metafile.outputs
    const nameOf = (path: string) => path.split('/').pop() as string
    const byName = new Map(Object.entries(outputs).map(([path, output]) => [nameOf(path), output]))
    const upFront = new Set<string>(['entry.js'])
    const queue = ['entry.js']
    for (let name = queue.pop(); name; name = queue.pop()) {
      for (const imported of byName.get(name)?.imports ?? []) {
        const chunk = nameOf(imported.path)
        if (imported.kind === 'import-statement' && byName.has(chunk) && !upFront.has(chunk)) {
          upFront.add(chunk)
          queue.push(chunk)
        }
      }
    }
    const sizeOf = (f: { contents: Uint8Array }) => gz(f.contents)
    const firstLoadGzip = files
      .filter((f) => upFront.has(nameOf(f.path)))
      .reduce((sum, f) => sum + sizeOf(f), 0)
    const totalGzip = files.reduce((sum, f) => sum + sizeOf(f), 0)
    const inputs = Object.keys(result.metafile.inputs).map((path) => relative(root, resolve(path)))
    return {
      entryRaw: entryFile.contents.byteLength,
      entryGzip: sizeOf(entryFile),
      firstLoadGzip,
      lazyGzip: totalGzip - firstLoadGzip,
      totalGzip,
      chunks: files.length,
      inputs,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What an app imports from tessera's core entry: the whole public surface, so nothing is shaken out. */
export const TESSERA_CORE_ENTRY = `export * from '../../../../src/index.ts'`

/** What most apps import: the client alone (the issue 10 budget is measured on this). */
export const TESSERA_CLIENT_IMPORT = `export { createSessionClient } from '../../../../src/index.ts'`

/** Each library's typical import, for the side-by-side table. */
export const PEER_ENTRIES: Array<[string, string]> = [
  [
    '`tessera-session` + `tessera-session/oidc`',
    `export * from '../../../../src/index.ts'\nexport * from '../../../../src/oidc/index.ts'`,
  ],
  ['@supabase/auth-js (`GoTrueClient`)', `export { GoTrueClient } from '@supabase/auth-js'`],
  ['oidc-client-ts (`UserManager`)', `export { UserManager } from 'oidc-client-ts'`],
  [
    '@toruslabs/session-manager (`AuthSessionManager`, `HttpClient`)',
    `export { AuthSessionManager, HttpClient } from '@toruslabs/session-manager'`,
  ],
]
