/** Compiles a Svelte component in memory and evaluates it against the real Svelte runtime. */
import { fileURLToPath } from 'node:url'
import type { Component } from 'svelte'
import { compile } from 'svelte/compiler'

const importStatement = /^import\s+(?:(\*\s+as\s+[\w$]+|\{[^}]*\})\s+from\s+)?'([^']+)';?$/gm

/**
 * Compiles `source` for `generate` and returns its default export. Imports of `svelte/...` load
 * the installed runtime; other specifiers must be listed in `modules` (e.g. `tessera-session/svelte`).
 */
export async function compileSvelte<Props extends Record<string, unknown>>(
  source: string,
  generate: 'client' | 'server',
  modules: Record<string, unknown>,
): Promise<Component<Props>> {
  const { js } = compile(source, { generate, filename: 'Component.svelte' })
  const loaded: unknown[] = []
  const body = await replaceAsync(js.code, importStatement, async (binding, specifier) => {
    const module = specifier in modules ? modules[specifier] : await loadSvelte(specifier)
    loaded.push(module)
    const slot = `__imports[${loaded.length - 1}]`
    if (!binding) return ''
    if (binding.startsWith('*')) return `const ${binding.replace(/^\*\s+as\s+/, '')} = ${slot};`
    return `const ${binding.replace(/\s+as\s+/g, ': ')} = ${slot};`
  })
  if (/^\s*import\s/m.test(body)) throw new Error(`An import the test cannot evaluate:\n${body}`)
  const evaluate = new Function('__imports', body.replace(/^export default /m, 'return '))
  return evaluate(loaded)
}

/** The browser entry of `svelte` (mount, unmount, flushSync), which Node's conditions do not pick. */
export async function svelteClient(): Promise<typeof import('svelte')> {
  return import(
    /* @vite-ignore */ fileURLToPath(
      new URL('../../index-client.js', import.meta.resolve('svelte/internal/client')),
    )
  )
}

function loadSvelte(specifier: string): Promise<unknown> {
  if (!specifier.startsWith('svelte/')) throw new Error(`No module given for ${specifier}`)
  return import(/* @vite-ignore */ specifier)
}

async function replaceAsync(
  text: string,
  pattern: RegExp,
  replace: (binding: string | undefined, specifier: string) => Promise<string>,
): Promise<string> {
  let out = ''
  let last = 0
  for (const match of text.matchAll(pattern)) {
    out += text.slice(last, match.index) + (await replace(match[1], match[2]!))
    last = match.index + match[0].length
  }
  return out + text.slice(last)
}
