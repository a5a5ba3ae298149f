import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { publint } from 'publint'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'))

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
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
    })
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path)
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
})
