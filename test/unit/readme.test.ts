// Issue 10 (Why 8, "README as the npm page"): what the README says about installing matches
// package.json: the install line, ESM only and require() versions, every runtime dependency and
// every peer with the entry that needs it, and where the refresh token is stored by default.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const readme = readFileSync(`${root}/README.md`, 'utf8')
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'))
const install = readme.slice(
  readme.indexOf('## Install'),
  readme.indexOf('\n## ', readme.indexOf('## Install') + 1),
)

describe('the README as the npm page', () => {
  it('has the install line, ESM only, and the Node versions where require() works', () => {
    expect(install).toContain(`npm i ${pkg.name}`)
    expect(install).toMatch(/ESM only/)
    expect(install).toMatch(/require\(\)[\s\S]*20\.19\+[\s\S]*22\.12\+/)
  })

  it('names every runtime dependency of package.json', () => {
    for (const name of Object.keys(pkg.dependencies)) expect(install, name).toContain(`\`${name}\``)
  })

  it('names every peer dependency beside the entry that needs it', () => {
    const rows = install.split('\n').filter((line) => line.startsWith('| `tessera-session'))
    const entryOf: Record<string, string> = {
      react: 'tessera-session/react',
      vue: 'tessera-session/vue',
      'solid-js': 'tessera-session/solid',
      '@statelyai/inspect': 'tessera-session/inspect',
    }
    for (const peer of Object.keys(pkg.peerDependencies)) {
      const row = rows.find((r) => r.startsWith(`| \`${entryOf[peer]}\``))
      expect(row, peer).toContain(`\`${peer}\``)
    }
  })

  it('says where the refresh token is stored by default and how to change it', () => {
    const stored = readme.slice(readme.indexOf('## What is stored where'), readme.indexOf('## See it live'))
    expect(stored).toMatch(/\| the refresh token \| `localStorage`[^|]*\| `tessera:<appId>:refresh_token` \|/)
    expect(stored).toMatch(/refreshToken: cookieStorage\(/)
    expect(readme).toContain('## See it live')
    expect(readme).toContain(`from '${pkg.name}/inspect'`)
  })
})
