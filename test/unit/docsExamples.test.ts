// Every ```ts block of the listed guides compiles against the sources, imported the way an app
// imports the package (`tessera-session`, `tessera-session/passkey`, …). A snippet that does not
// compile is a bug users hit first.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const GUIDES = ['docs/passkeys.md']

/** Each entry of the exports map, pointed at its source (`./dist/src/x.d.ts` → `src/x.ts`). */
function sourcePaths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string
    exports: Record<string, string | { types?: string }>
  }
  const paths: Record<string, string[]> = {}
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'string' ? undefined : target.types
    if (!types) continue
    paths[`${pkg.name}${subpath.slice(1)}`] = [
      join(root, types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')),
    ]
  }
  return paths
}

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? '')
}

describe('TypeScript examples in the guides', () => {
  for (const guide of GUIDES) {
    it(`${guide}: every ts block compiles`, () => {
      const blocks = tsBlocks(readFileSync(join(root, guide), 'utf8'))
      expect(blocks.length).toBeGreaterThan(0)
      const dir = join(
        root,
        'node_modules',
        '.cache',
        `tessera-docs-${process.pid}-${guide.replace(/\W/g, '_')}`,
      )
      mkdirSync(dir, { recursive: true })
      try {
        // Each block is its own module (an `export {}` makes even an import-free one a module).
        for (const [i, code] of blocks.entries()) {
          writeFileSync(join(dir, `block${i + 1}.ts`), `${code}\nexport {}\n`)
        }
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
        writeFileSync(
          join(dir, 'tsconfig.json'),
          JSON.stringify({
            extends: join(root, 'tsconfig.json'),
            compilerOptions: {
              noEmit: true,
              types: [],
              paths: sourcePaths(),
            },
            include: ['*.ts'],
          }),
        )
        let output = ''
        try {
          execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], {
            cwd: dir,
            encoding: 'utf8',
            stdio: 'pipe',
          })
        } catch (error) {
          output = String((error as { stdout?: string }).stdout ?? error)
        }
        expect(output).toBe('')
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }, 60_000)
  }
})
