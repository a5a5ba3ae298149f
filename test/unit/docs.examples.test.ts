/** Every TypeScript example in the guides this test lists compiles against the sources (oauth4webapi's habit). */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const GUIDES = ['docs/wallet.md', 'docs/keys.md']

/** The package's own names, pointed at the sources, as an app would import them. */
function toSources(code: string): string {
  return code
    .replaceAll(/from 'tessera-session'/g, "from '../src/index.js'")
    .replaceAll(/from 'tessera-session\/(wallet|server|oidc)'/g, "from '../src/$1/index.js'")
}

describe('TypeScript examples in the guides', () => {
  it.each(GUIDES)(
    '%s compiles, block by block',
    (guide) => {
      const blocks = [...readFileSync(join(root, guide), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(
        (m) => m[1] as string,
      )
      expect(blocks.length).toBeGreaterThan(0)
      const dir = join(root, `.doc-examples-${guide.replaceAll(/\W/g, '-')}`)
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir)
      try {
        // Names the older snippets take for granted (each block may declare its own instead).
        writeFileSync(
          join(dir, 'globals.d.ts'),
          "declare global { const client: import('../src/index.js').SessionClient }\nexport {}\n",
        )
        blocks.forEach((code, i) => {
          writeFileSync(join(dir, `example${i}.mts`), `${toSources(code)}\nexport {}\n`)
        })
        writeFileSync(
          join(dir, 'tsconfig.json'),
          JSON.stringify({
            extends: '../tsconfig.json',
            compilerOptions: { noEmit: true },
            include: ['*.mts', '*.d.ts'],
          }),
        )
        let output = ''
        try {
          execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], {
            cwd: root,
            encoding: 'utf8',
          })
        } catch (error) {
          output = String((error as { stdout?: string }).stdout ?? error)
        }
        expect(output).toBe('')
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    60_000,
  )
})
