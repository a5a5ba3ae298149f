import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkExamples, collectExamples, type ExampleFailure } from '../../scripts/checkExamples.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('every TypeScript example compiles', () => {
  it('collects the examples of README.md, docs/*.md and the TSDoc of src/ and machines/', () => {
    const examples = collectExamples(root)
    const sources = new Set(examples.map((e) => e.source))
    expect(sources).toContain('README.md')
    expect(sources).toContain('docs/methods.md')
    expect(sources).toContain('src/authMethod.ts')
    expect(sources).toContain('machines/refreshSchedule.ts')
    expect(examples.length).toBeGreaterThan(100)
  })

  it('type-checks each one as a module with tsc (and catches one that does not compile)', () => {
    const control = [
      { source: 'control/wrongType.md', line: 1, lang: 'ts' as const, code: "const n: number = 'one'" },
      { source: 'control/syntax.md', line: 1, lang: 'ts' as const, code: 'const = 1' },
      // A TSDoc example imports relative to the file it documents (here control/, so ../machines/).
      {
        source: 'control/sibling.ts',
        line: 1,
        lang: 'ts' as const,
        code: "import { refOf, notExported } from '../machines/sessionRecord.js'\nconsole.log(refOf, notExported)",
      },
    ]
    const failures = checkExamples(root, control)
    const where = (f: ExampleFailure) => `${f.source}:${f.line}  ${f.message}`
    // The checker itself works: the controls fail, type errors are reported past a syntax error.
    expect(failures.filter((f) => f.source === 'control/wrongType.md').map((f) => f.message)).toEqual([
      expect.stringContaining('TS2322'),
    ])
    expect(failures.some((f) => f.source === 'control/syntax.md')).toBe(true)
    // The sibling module resolved (no TS2307): only the name it does not export is refused.
    expect(failures.filter((f) => f.source === 'control/sibling.ts').map((f) => f.message)).toEqual([
      expect.stringContaining('TS2305'),
    ])
    // Every example of the repository compiles, with no exception.
    const real = failures.filter((f) => !f.source.startsWith('control/'))
    expect(real.map(where)).toEqual([])
  }, 120_000)
})
