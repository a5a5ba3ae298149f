/**
 * The package as a user gets it: `npm pack`, the tarball installed into a scratch project outside
 * the repository (its dependencies from the npm cache or the registry), every entry of the
 * exports map imported from Node ESM, and the README's TypeScript examples type-checked against
 * the installed types (not the sources) under `moduleResolution: bundler` and `node16`.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportedNames, extractMarkdownExamples } from '../../scripts/checkExamples.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  exports: Record<string, string | { types: string; default: string }>
  peerDependencies: Record<string, string>
}
const entries = Object.keys(pkg.exports).filter((subpath) => subpath !== './package.json')
const specifier = (subpath: string) => `${pkg.name}${subpath.slice(1)}`

/** The version of a package this repository tested with (so the npm cache has it). */
const testedVersion = (name: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version

// The adapters' peers (each entry must import, so each peer is there), the types React and Node
// do not ship themselves (the README uses `process.env`), nothing else.
const extras = [...Object.keys(pkg.peerDependencies), '@types/react', '@types/node'].map(
  (name) => `${name}@${testedVersion(name)}`,
)

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
/** The temp folder of this run (tarball, staging copy, project); removed at the end. */
let tempRoot = ''
/** The scratch project the tarball is installed into. */
let scratch = ''
const run = (command: string, args: string[], cwd = scratch) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe', timeout: 150_000 })

beforeAll(() => {
  tempRoot = mkdtempSync(join(tmpdir(), 'tessera-packed-'))
  // What `npm pack` packs after its `prepack` (`npm run build`: tsc -p tsconfig.build.json into
  // dist/), built into a staging copy instead: rebuilding the repository's own dist/ would pull it
  // from under the suites that read it (test/unit/package.test.ts) while they run.
  const staging = join(tempRoot, 'package')
  mkdirSync(staging)
  run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(staging, 'dist')], root)
  for (const file of ['package.json', 'README.md', 'LICENSE'])
    copyFileSync(join(root, file), join(staging, file))
  cpSync(join(root, 'docs'), join(staging, 'docs'), { recursive: true })
  // The `files` whitelist of package.json decides what goes in, as it does for `npm publish`.
  const packed = JSON.parse(
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tempRoot], staging),
  ) as Array<{ filename: string }>
  const tarball = join(tempRoot, (packed[0] as { filename: string }).filename)
  scratch = join(tempRoot, 'app')
  mkdirSync(scratch)
  writeFileSync(join(scratch, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n')
  run('npm', ['install', tarball, ...extras, '--no-audit', '--no-fund', '--prefer-offline'])
}, 170_000)

afterAll(() => {
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true })
})

describe('the packed tarball installed into a fresh project', () => {
  it('is installed from the tarball, not linked to the repository', () => {
    const installed = JSON.parse(
      readFileSync(join(scratch, 'node_modules', pkg.name, 'package.json'), 'utf8'),
    ) as { name: string }
    expect(installed.name).toBe(pkg.name)
    const lock = JSON.parse(readFileSync(join(scratch, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; link?: boolean }>
    }
    const entry = lock.packages[`node_modules/${pkg.name}`]
    expect(entry?.link).toBeUndefined()
    expect(entry?.resolved).toMatch(/\.tgz$/)
  })

  it('imports every entry of the exports map from Node ESM, with the value exports its types declare', () => {
    const script = `
      const out = {}
      for (const s of ${JSON.stringify(entries.map(specifier))}) out[s] = Object.keys(await import(s)).sort()
      const own = await import('${pkg.name}/package.json', { with: { type: 'json' } })
      out['package.json'] = own.default.name
      console.log(JSON.stringify(out))`
    const loaded = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script])) as Record<
      string,
      string[] | string
    >
    expect(loaded['package.json']).toBe(pkg.name)
    for (const subpath of entries) {
      const target = pkg.exports[subpath] as { types: string }
      const declared = exportedNames(
        readFileSync(join(scratch, 'node_modules', pkg.name, target.types), 'utf8'),
      )
      const values = [...declared].filter(([, kind]) => kind === 'value').map(([name]) => name)
      expect(values.length, subpath).toBeGreaterThan(0)
      expect(loaded[specifier(subpath)], subpath).toEqual(values.sort())
    }
  })

  // The README's examples, as a user pastes them, against node_modules/tessera-session/dist/**/*.d.ts.
  for (const resolution of ['bundler', 'node16'] as const) {
    it(`type-checks the README's TypeScript examples against the installed types (moduleResolution ${resolution})`, () => {
      const folder = join(scratch, `readme-${resolution}`)
      mkdirSync(folder)
      const examples = extractMarkdownExamples('README.md', readFileSync(join(root, 'README.md'), 'utf8'))
      expect(examples.length).toBeGreaterThan(3)
      const files = examples.map((example, index) => {
        const name = example.fileName ?? `readme-L${example.line}-${index}.${example.lang}`
        // Line 1 is left empty, so compiler line N is the example's line N - 2, as in checkExamples.
        writeFileSync(join(folder, name), `\n${example.code}\nexport {}\n`)
        return { name, example }
      })
      // Every entry, by name, so each one's declarations resolve under this resolution too.
      writeFileSync(
        join(folder, 'entries.ts'),
        `${entries.map((subpath, i) => `import * as entry${i} from '${specifier(subpath)}'`).join('\n')}\n` +
          `export const loaded = [${entries.map((_, i) => `entry${i}`).join(', ')}]\n`,
      )
      copyFileSync(join(root, 'scripts', 'exampleGlobals.d.ts'), join(folder, 'exampleGlobals.d.ts'))
      writeFileSync(
        join(folder, 'tsconfig.json'),
        `${JSON.stringify(
          {
            compilerOptions: {
              target: 'ES2022',
              lib: ['ES2023', 'DOM', 'DOM.Iterable'],
              strict: true,
              noEmit: true,
              jsx: 'react-jsx',
              types: ['node'],
              ...(resolution === 'bundler'
                ? { module: 'preserve', moduleResolution: 'bundler' }
                : { module: 'node16', moduleResolution: 'node16' }),
            },
            files: [...files.map((f) => f.name), 'entries.ts', 'exampleGlobals.d.ts'],
          },
          null,
          2,
        )}\n`,
      )
      let output = ''
      try {
        run(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], folder)
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string }
        output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim()
        if (!output) throw error
      }
      // Each error as `README.md:<line> <message>`, so a failure points at the README.
      const located = output.split('\n').map((line) => {
        const m = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(line.trim())
        const file = files.find((f) => m && m[1] === f.name)
        return file && m ? `README.md:${file.example.line + Number(m[2]) - 2} ${m[3]}` : line
      })
      expect(output === '' ? [] : located).toEqual([])
    }, 60_000)
  }
})
