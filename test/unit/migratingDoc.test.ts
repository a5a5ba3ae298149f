// docs/MIGRATING.md may only claim what works. This keeps its tables from drifting away from the
// code: every name a tessera cell imports from an entry is exported there, every member it reads
// on a client, kit, session, wallet session or session data exists, and every test it cites as
// proof exists under that name.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const doc = readFileSync(join(root, 'docs', 'MIGRATING.md'), 'utf8')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { default: string }>
}

/** `tessera-session[/sub]` → its source entry, from the exports map (`./dist/src/x.js` → `src/x.ts`). */
function entries(): Map<string, string> {
  const map = new Map<string, string>()
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.default
    if (!file.endsWith('.js')) continue
    const name = subpath === '.' ? 'tessera-session' : `tessera-session/${subpath.slice(2)}`
    map.set(name, join(root, file.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')))
  }
  return map
}

/** The rows of every three-column table: `[sdk, tessera, proof]`, escaped pipes kept in their cell. */
function rows(): Array<{ line: number; cells: string[] }> {
  const out: Array<{ line: number; cells: string[] }> = []
  doc.split('\n').forEach((text, i) => {
    if (!text.startsWith('|') || /^\|\s*-/.test(text)) return
    const cells = text
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim())
    if (cells.length === 3 && cells[2] !== 'proof') out.push({ line: i + 1, cells })
  })
  return out
}

/**
 * The names an entry exports (values and types), read from its source: entries are re-export
 * lists (`export { a, type B } from …`) or files of `export function`/`interface`/`type`/`const`.
 */
function exportedNames(file: string): Set<string> {
  const text = readFileSync(file, 'utf8')
  const names = new Set<string>()
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of (m[1] as string).split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1)
        ?.trim()
      if (name) names.add(name)
    }
  }
  for (const m of text.matchAll(
    /export\s+(?:async\s+)?(?:function|interface|type|const|class)\s+([A-Za-z_$][\w$]*)/g,
  ))
    names.add(m[1] as string)
  return names
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )

/**
 * The members of an exported interface of src/, its `extends` included: each member is a line
 * indented two spaces in the formatted source (`name:`, `name?:`, `readonly name:`, `name(`).
 */
function interfaceMembers(name: string): Set<string> {
  const members = new Set<string>()
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8')
    const head = new RegExp(
      `^export interface ${name}(?:<[^>]*>)?(?:\\s+extends\\s+([^{]+))?\\s*\\{$`,
      'm',
    ).exec(text)
    if (!head) continue
    const body = text.slice(head.index + head[0].length, text.indexOf('\n}', head.index))
    for (const m of body.matchAll(/^ {2}(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*[:(<]/gm))
      members.add(m[1] as string)
    for (const base of (head[1] ?? '').split(',')) {
      const baseName = /^\s*(?:Omit<)?([A-Za-z_$][\w$]*)/.exec(base)?.[1]
      if (baseName) for (const member of interfaceMembers(baseName)) members.add(member)
    }
  }
  return members
}

function compiled() {
  const exportsOf = new Map([...entries()].map(([name, file]) => [name, exportedNames(file)]))
  return { exportsOf, membersOf: (_entry: string, typeName: string) => interfaceMembers(typeName) }
}

describe('docs/MIGRATING.md', () => {
  const table = rows()
  const { exportsOf, membersOf } = compiled()

  it('has a row for each seed section, with a tessera cell and a proof cell', () => {
    for (const heading of ['Sequence OMS', 'did-session', 'Torus', 'WharfKit', 'baas.sh'])
      expect(doc).toMatch(new RegExp(`^## .*${heading.replace('.', '\\.')}`, 'm'))
    expect(table.length).toBeGreaterThan(80)
    for (const { line, cells } of table) {
      expect(cells[1], `line ${line}`).not.toBe('')
      expect(cells[2], `line ${line}`).not.toBe('')
    }
  })

  it('imports in the tessera column name exports of that entry', () => {
    const missing: string[] = []
    let checked = 0
    for (const { line, cells } of table) {
      for (const m of (cells[1] as string).matchAll(
        /`([A-Za-z_$][\w$]*)[^`]*`\s+from\s+`(tessera-session[^`]*)`/g,
      )) {
        const [, name, entry] = m as unknown as [string, string, string]
        checked++
        const names = exportsOf.get(entry)
        if (!names) missing.push(`line ${line}: no entry ${entry}`)
        else if (!names.has(name)) missing.push(`line ${line}: ${entry} has no export ${name}`)
      }
    }
    expect(missing).toEqual([])
    expect(checked).toBeGreaterThan(10)
  })

  it('calls a bare function only when some entry exports it', () => {
    const everything = new Set([...exportsOf.values()].flatMap((names) => [...names.keys()]))
    const missing: string[] = []
    let checked = 0
    for (const { line, cells } of table) {
      for (const span of (cells[1] as string).matchAll(/`([^`]+)`/g)) {
        for (const call of (span[1] as string).matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*)\(/g)) {
          const name = call[1] as string
          checked++
          if (!everything.has(name)) missing.push(`line ${line}: ${name}()`)
        }
      }
    }
    expect(missing).toEqual([])
    expect(checked).toBeGreaterThan(20)
  })

  it('reads members that exist on the client, kit, session, wallet session and session data', () => {
    const shapes: Record<string, Set<string>> = {
      client: membersOf('tessera-session', 'SessionClient'),
      kit: membersOf('tessera-session/kit', 'SessionKit'),
      session: membersOf('tessera-session', 'Session'),
      ws: membersOf('tessera-session/wallet', 'WalletSession'),
      data: membersOf('tessera-session/session-data', 'EncryptedSessionData'),
      grant: membersOf('tessera-session', 'AccessGrant'),
    }
    for (const [name, members] of Object.entries(shapes)) expect(members.size, name).toBeGreaterThan(3)
    const missing: string[] = []
    let checked = 0
    for (const { line, cells } of table) {
      for (const span of (cells[1] as string).matchAll(/`([^`]+)`/g)) {
        for (const m of (span[1] as string).matchAll(
          /(?<![\w$.])(client|kit|session|ws|data|grant)\.([A-Za-z_$][\w$]*)/g,
        )) {
          const [, owner, member] = m as unknown as [string, string, string]
          checked++
          if (!shapes[owner]?.has(member)) missing.push(`line ${line}: ${owner}.${member}`)
        }
      }
    }
    expect(missing).toEqual([])
    expect(checked).toBeGreaterThan(50)
  })

  it('cites tests that exist, under the names it gives', () => {
    const missing: string[] = []
    for (const { line, cells } of table) {
      const proof = cells[2] as string
      if (proof === '—') {
        if (!/\*\*Not yet\b/.test(cells[1] as string)) missing.push(`line ${line}: no proof`)
        continue
      }
      const cites = [...proof.matchAll(/`(test\/[^`]+\.test\.ts)`(?:\s+"([^"]+)")?/g)]
      if (cites.length === 0) missing.push(`line ${line}: no test cited`)
      for (const [, file, name] of cites as unknown as Array<[string, string, string | undefined]>) {
        if (!existsSync(join(root, file as string))) {
          missing.push(`line ${line}: ${file} does not exist`)
          continue
        }
        const source = readFileSync(join(root, file as string), 'utf8')
        if (
          name &&
          !source.includes(`'${name}'`) &&
          !source.includes(`"${name}"`) &&
          !source.includes(`\`${name}\``)
        )
          missing.push(`line ${line}: ${file} has no test "${name}"`)
      }
    }
    expect(missing).toEqual([])
  })

  it('links only to docs that exist', () => {
    const broken: string[] = []
    for (const m of doc.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (m[1] as string).split('#')[0] as string
      if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue
      if (!existsSync(join(root, 'docs', target))) broken.push(m[1] as string)
    }
    expect(broken).toEqual([])
  })
})
