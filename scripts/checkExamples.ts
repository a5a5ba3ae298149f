/**
 * Type-checks every TypeScript example a reader can copy: the ```ts / ```tsx blocks of README.md
 * and docs/*.md, and every TSDoc `@example` in src/ and machines/ (as oauth4webapi feeds its
 * examples to tsc). Run alone with `node --import tsx scripts/checkExamples.ts`; test/unit/examples.test.ts
 * runs it in `npm test`.
 *
 * Each example becomes one module in a scratch folder, checked with the project's compiler options:
 * - `tessera-session` and its subpaths resolve to the sources (a `paths` entry per export);
 * - a TSDoc example sees the exports of the file it documents (the thing it shows), nothing else;
 *   its relative imports (`from './sessionRecord.js'`) resolve from that file's folder, as code
 *   written next to it would;
 * - free names an example takes for granted (`client`, `render`, …) come from
 *   scripts/exampleGlobals.d.ts, a short list: anything else an example uses, it declares;
 * - a markdown block whose first line is `// name.ts` is written under that name, so the other
 *   blocks of the same page can import it (`import { client } from './auth'`).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One example, where it was found and what it says. */
export interface Example {
  /** Repository-relative path of the file that holds it. */
  source: string
  /** 1-based line of the example's first code line in `source`. */
  line: number
  lang: 'ts' | 'tsx'
  code: string
  /** From a first line `// name.ts`: the module name other blocks of the page import. */
  fileName?: string
}

/** An example that does not compile, with the compiler's message. */
export interface ExampleFailure {
  source: string
  line: number
  message: string
}

const FENCE = /^(\s*)```(ts|tsx|typescript)\s*$/

/**
 * The ```ts and ```tsx blocks of a markdown file.
 *
 * @example
 * ```ts
 * extractMarkdownExamples('README.md', '```ts\nconst a = 1\n```\n')[0]?.line // 2
 * ```
 */
export function extractMarkdownExamples(source: string, text: string): Example[] {
  const lines = text.split('\n')
  const examples: Example[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '')
    if (!open) continue
    const indent = open[1]?.length ?? 0
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] ?? ''); j++)
      body.push((lines[j] ?? '').slice(indent))
    const named = /^\/\/\s*([\w.-]+\.tsx?)\s*$/.exec(body[0] ?? '')
    examples.push({
      source,
      line: i + 2,
      lang: open[2] === 'tsx' ? 'tsx' : 'ts',
      code: body.join('\n'),
      ...(named?.[1] ? { fileName: named[1] } : {}),
    })
    i = j
  }
  return examples
}

/**
 * The fenced code of every `@example` tag in a TypeScript file's TSDoc comments.
 *
 * @example
 * ```ts
 * const examples = extractTsDocExamples('src/f.ts', readFileSync('src/f.ts', 'utf8'))
 * ```
 */
export function extractTsDocExamples(source: string, text: string): Example[] {
  const lines = text.split('\n')
  const examples: Example[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\b/.test(lines[i] ?? '')) continue
    let j = i + 1
    const strip = (line: string) => line.replace(/^\s*\*( |$)/, '')
    while (j < lines.length && strip(lines[j] ?? '').trim() === '') j++
    const open = FENCE.exec(strip(lines[j] ?? ''))
    if (!open) continue
    const body: string[] = []
    let k = j + 1
    for (; k < lines.length && !/^\s*```\s*$/.test(strip(lines[k] ?? '')); k++)
      body.push(strip(lines[k] ?? ''))
    examples.push({ source, line: j + 2, lang: open[2] === 'tsx' ? 'tsx' : 'ts', code: body.join('\n') })
    i = k
  }
  return examples
}

/** What a module exports, by name, with whether each is a type only (for `import { type X }`). */
export function exportedNames(text: string): Map<string, 'type' | 'value'> {
  const names = new Map<string, 'type' | 'value'>()
  for (const m of text.matchAll(
    /^export\s+(?:declare\s+)?(?:async\s+)?(function\*?|const|let|class|abstract\s+class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm,
  )) {
    names.set(m[2] as string, m[1] === 'interface' || m[1] === 'type' ? 'type' : 'value')
  }
  for (const m of text.matchAll(/^export\s+(type\s+)?\{([^}]*)\}/gm)) {
    for (const part of (m[2] as string).split(',')) {
      const spec = part.trim()
      if (!spec) continue
      const isType = Boolean(m[1]) || spec.startsWith('type ')
      const name = spec
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim()
      if (name) names.set(name, isType ? 'type' : 'value')
    }
  }
  return names
}

/** Names an example declares or imports itself (it needs no implicit import for them). */
function ownNames(code: string): Set<string> {
  const own = new Set<string>()
  for (const m of code.matchAll(
    /\b(?:const|let|var|function\*?|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g,
  ))
    own.add(m[1] as string)
  for (const m of code.matchAll(/^import\s+(?:type\s+)?([^'"]*?)\s+from\s+['"]/gm)) {
    const clause = m[1] as string
    for (const name of clause.replace(/[{}]/g, ',').split(',')) {
      const local = name
        .trim()
        .replace(/^type\s+/, '')
        .replace(/^\*\s+as\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim()
      if (local) own.add(local)
    }
  }
  return own
}

/**
 * A TSDoc example is code in the folder of the file it documents: its relative imports
 * (`import { refOf } from './sessionRecord.js'`) are pointed at that folder. A markdown example is
 * app code and imports the package, so its code is left as written.
 */
function siblingImports(example: Example, root: string, file: string): string {
  if (!/\.tsx?$/.test(example.source)) return example.code
  const folder = dirname(join(root, example.source))
  return example.code.replace(
    /(\bfrom\s+|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\2/g,
    (_all, keyword: string, quote: string, spec: string) =>
      `${keyword}${quote}${importPath(file, resolve(folder, spec))}${quote}`,
  )
}

function importPath(from: string, to: string): string {
  const path = relative(dirname(from), to)
    .replace(/\\/g, '/')
    .replace(/\.tsx?$/, '.js')
  return path.startsWith('.') ? path : `./${path}`
}

function walk(dir: string, filter: (path: string) => boolean): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walk(path, filter))
    else if (filter(path)) out.push(path)
  }
  return out.sort()
}

/**
 * Every example of the repository: README.md, docs/*.md (not docs/demo), and TSDoc in src/ and
 * machines/.
 */
export function collectExamples(root: string): Example[] {
  const examples: Example[] = []
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
  for (const file of ['README.md', ...docs.map((name) => `docs/${name}`)]) {
    examples.push(...extractMarkdownExamples(file, readFileSync(join(root, file), 'utf8')))
  }
  for (const dir of ['src', 'machines']) {
    for (const path of walk(join(root, dir), (p) => /\.tsx?$/.test(p) && !p.endsWith('.d.ts'))) {
      examples.push(...extractTsDocExamples(relative(root, path), readFileSync(path, 'utf8')))
    }
  }
  return examples
}

/** `paths` for the compiler: every export of package.json, pointed at its source file. */
function sourcePaths(root: string, scratch: string): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string
    exports: Record<string, string | { default?: string }>
  }
  const paths: Record<string, string[]> = {}
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const built = typeof target === 'string' ? target : target.default
    if (!built?.startsWith('./dist/') || !built.endsWith('.js')) continue
    const source = join(root, built.slice('./dist/'.length).replace(/\.js$/, '.ts'))
    paths[`${pkg.name}${subpath.slice(1)}`] = [relative(scratch, source).replace(/\\/g, '/')]
  }
  return paths
}

/**
 * Writes every example (plus `extra`, for tests of the checker itself) as a module into
 * `<root>/node_modules/.cache/tessera-examples` and type-checks them with `tsc`. Returns the
 * failures, mapped back to the example's file and line.
 *
 * @example
 * ```ts
 * const failures = checkExamples(process.cwd())
 * for (const f of failures) console.log(`${f.source}:${f.line} ${f.message}`)
 * ```
 */
export function checkExamples(root: string, extra: Example[] = []): ExampleFailure[] {
  const scratch = join(root, 'node_modules', '.cache', 'tessera-examples')
  rmSync(scratch, { recursive: true, force: true })
  mkdirSync(scratch, { recursive: true })
  writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }\n')

  const examples = [...collectExamples(root), ...extra]
  const generated = new Map<string, Example>()
  const exportsOf = new Map<string, Map<string, 'type' | 'value'>>()
  examples.forEach((example, index) => {
    const folder = join(scratch, example.source.replace(/[/.]/g, '_'))
    const file = join(folder, example.fileName ?? `L${example.line}-${index}.${example.lang}`)
    mkdirSync(folder, { recursive: true })
    // Line 1 is the header, so compiler line N is the example's line N - 2 (0-based offset).
    let header = ''
    if (/from\s+['"](solid-js|tessera-session\/solid)['"]/.test(example.code)) {
      header += '/** @jsxImportSource solid-js */ '
    }
    if (/\.tsx?$/.test(example.source) && existsSync(join(root, example.source))) {
      const sourcePath = join(root, example.source)
      let names = exportsOf.get(sourcePath)
      if (!names) {
        names = exportedNames(readFileSync(sourcePath, 'utf8'))
        exportsOf.set(sourcePath, names)
      }
      const own = ownNames(example.code)
      const used = [...names].filter(
        ([name]) =>
          !own.has(name) &&
          new RegExp(`(?<![\\w$])(?<![^.]\\.)${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(example.code),
      )
      if (used.length > 0) {
        const specifiers = used.map(([name, kind]) => (kind === 'type' ? `type ${name}` : name)).join(', ')
        header += `import { ${specifiers} } from '${importPath(file, sourcePath)}'; `
      }
    }
    writeFileSync(file, `${header}\n${siblingImports(example, root, file)}\nexport {}\n`)
    generated.set(file, example)
  })

  // tsc reports no type errors while any file has a syntax error: set such examples aside and run again.
  const failures: LocatedFailure[] = []
  const excluded = new Set<string>()
  for (let round = 0; round <= generated.size; round++) {
    const found = runCompiler(root, scratch, generated, excluded)
    const syntax = found.filter((f) => f.file !== undefined && /^TS1\d{3}:/.test(f.message))
    if (syntax.length === 0) {
      failures.push(...found)
      break
    }
    failures.push(...syntax)
    for (const f of syntax) excluded.add(f.file as string)
  }
  return failures.map(({ file: _file, ...failure }) => failure)
}

type LocatedFailure = ExampleFailure & { file?: string }

function runCompiler(
  root: string,
  scratch: string,
  generated: Map<string, Example>,
  excluded: Set<string>,
): LocatedFailure[] {
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    `${JSON.stringify(
      {
        extends: relative(scratch, join(root, 'tsconfig.json')).replace(/\\/g, '/'),
        // Examples are app code: resolved the way Vite, Next.js or SvelteKit resolve it.
        compilerOptions: {
          noEmit: true,
          module: 'preserve',
          moduleResolution: 'bundler',
          paths: sourcePaths(root, scratch),
        },
        include: [],
        files: [
          ...[...generated.keys()].filter((f) => !excluded.has(f)).map((f) => relative(scratch, f)),
          relative(scratch, join(root, 'scripts', 'exampleGlobals.d.ts')),
        ],
      },
      null,
      2,
    )}\n`,
  )
  let output = ''
  try {
    execFileSync('npx', ['tsc', '-p', join(scratch, 'tsconfig.json'), '--pretty', 'false'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    })
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string }
    output = `${e.stdout ?? ''}${e.stderr ?? ''}`
    if (!output.trim()) throw error
  }
  return parseCompilerOutput(output, root, generated)
}

function parseCompilerOutput(
  output: string,
  root: string,
  generated: Map<string, Example>,
): LocatedFailure[] {
  const failures: LocatedFailure[] = []
  for (const line of output.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(line.trim())
    if (!m) {
      if (/error TS\d+/.test(line)) failures.push({ source: '(tsc)', line: 0, message: line.trim() })
      continue
    }
    const file = resolve(root, m[1] as string)
    const example = generated.get(file)
    failures.push(
      example
        ? { file, source: example.source, line: example.line + Number(m[2]) - 2, message: m[4] as string }
        : { source: relative(root, file), line: Number(m[2]), message: m[4] as string },
    )
  }
  return failures
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const failures = checkExamples(root)
  for (const f of failures) console.log(`${f.source}:${f.line}  ${f.message}`)
  console.log(failures.length === 0 ? 'every example compiles' : `${failures.length} errors in examples`)
  process.exitCode = failures.length === 0 ? 0 : 1
}
