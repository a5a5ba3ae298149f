import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, posix, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { publint } from 'publint'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'))

function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
  })
  return JSON.parse(out)[0].files.map((f: { path: string }) => f.path)
}

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return builtFiles(path)
    return path.endsWith('.js') ? [path] : []
  })
}

/** Every module specifier a built file imports: static imports, re-exports and dynamic import(). */
function specifiersOf(file: string): string[] {
  // Without comments: the TSDoc examples kept in the built files import things too.
  const code = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
  const found: string[] = []
  // The keywords, not the words inside a string (`string(o, 'from', 'message')`).
  for (const m of code.matchAll(
    /(?:(?<![\w$.'"])from\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm,
  )) {
    found.push(m[2] as string)
  }
  return found
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; null for relative paths and Node built-ins. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return null
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return null
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string)
}

/** The built files an entry loads, following relative imports (dynamic ones included). */
function reachableFrom(entry: string): Set<string> {
  const seen = new Set<string>()
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    for (const specifier of specifiersOf(file)) {
      if (specifier.startsWith('.')) queue.push(join(dirname(file), specifier))
    }
  }
  return seen
}

describe('the packed artifact', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' })
  }, 120_000)

  it('is ESM only with an explicit exports map (types first), sideEffects false and a files whitelist', () => {
    expect(pkg.type).toBe('module')
    expect(pkg.sideEffects).toBe(false)
    expect(pkg.engines.node).toBe('>=20')
    expect(pkg.main).toBeUndefined()
    expect(pkg.exports['./package.json']).toBe('./package.json')
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath === './package.json') continue
      expect(Object.keys(target as object)[0], subpath).toBe('types')
    }
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/src', 'dist/machines']))
  })

  it('passes publint on the pack', async () => {
    const { messages } = await publint({ pkgDir: root, pack: 'npm', level: 'warning' })
    expect(messages).toEqual([])
  }, 60_000)

  it('packs only built files: one .js and one .d.ts per module, no sources or tests', () => {
    const files = packedFiles()
    expect(
      files.some(
        (f) => f.startsWith('test/') || f.startsWith('src/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
      ),
    ).toBe(false)
    const js = files.filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3))
    const dts = files.filter((f) => f.endsWith('.d.ts')).map((f) => f.slice(0, -5))
    expect(js.sort()).toEqual(dts.sort())
  })

  it('resolves by its own name in plain Node, every subpath', () => {
    for (const subpath of Object.keys(pkg.exports)) {
      if (subpath === './package.json') continue
      const specifier = `${pkg.name}${subpath.slice(1)}`
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import('${specifier}'); console.log(Object.keys(m).length)`,
        ],
        { cwd: root, encoding: 'utf8' },
      )
      expect(Number(out.trim()), specifier).toBeGreaterThan(0)
    }
  })

  it('ships LICENSE (MIT, as package.json says) and the docs the README links to, not the demo', () => {
    const files = packedFiles()
    expect(pkg.license).toBe('MIT')
    expect(files).toContain('LICENSE')
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/)
    const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'))
    for (const name of docs) expect(files).toContain(`docs/${name}`)
    expect(files.filter((f) => f.startsWith('docs/demo'))).toEqual([])
  })

  it('links only to files the tarball ships, from README.md and from every shipped doc', () => {
    const files = new Set(packedFiles())
    const broken: string[] = []
    for (const page of [...files].filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(root, page), 'utf8')
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (m[1] as string).split('#')[0] as string
        if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue // external or mailto
        const path = posix.normalize(posix.join(posix.dirname(page), target))
        if (!files.has(path)) broken.push(`${page} → ${m[1]}`)
      }
    }
    expect(broken).toEqual([])
  })

  it('declares exactly what the built files import: every dependency used, every bare import declared', () => {
    const dist = join(root, 'dist')
    const files = builtFiles(dist)
    const imported = new Map<string, Set<string>>() // package → files importing it
    for (const file of files) {
      for (const specifier of specifiersOf(file)) {
        const name = packageOf(specifier)
        if (!name) continue
        if (!imported.has(name)) imported.set(name, new Set())
        imported.get(name)?.add(relative(dist, file))
      }
    }
    const dependencies = Object.keys(pkg.dependencies ?? {})
    const peers = Object.keys(pkg.peerDependencies ?? {})
    // Nothing imported that a user would not get installed (or be told to install).
    expect(
      [...imported.keys()].filter((name) => !dependencies.includes(name) && !peers.includes(name)),
    ).toEqual([])
    // Nothing installed for every user that no shipped file imports.
    expect(dependencies.filter((name) => !imported.has(name))).toEqual([])
    expect(peers.filter((name) => !imported.has(name))).toEqual([])
    // Every peer is optional: each is needed by one entry only.
    for (const name of peers) expect(pkg.peerDependenciesMeta?.[name]?.optional, name).toBe(true)
  })

  it('keeps optional peers out of the core: only their own entry loads them', () => {
    const dist = join(root, 'dist')
    const exportsOf = (subpath: string) => join(root, pkg.exports[subpath].default)
    const peerImports = (entry: string) =>
      [...reachableFrom(entry)].flatMap((file) =>
        specifiersOf(file)
          .map(packageOf)
          .filter((name): name is string => name !== null && name in (pkg.peerDependencies ?? {})),
      )
    for (const subpath of ['.', './oidc', './wallet'])
      expect(peerImports(exportsOf(subpath)), subpath).toEqual([])
    expect(new Set(peerImports(exportsOf('./inspect')))).toEqual(new Set(['@statelyai/inspect']))
    expect(new Set(peerImports(exportsOf('./react')))).toEqual(new Set(['react']))
    expect(reachableFrom(exportsOf('.')).size).toBeGreaterThan(10) // the walk really followed the imports
    expect(relative(dist, exportsOf('.'))).toBe('src/index.js')
  })
})
