import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { sessionMachine } from '../../machines/session.machine.js'
import { lifecycleMarkdown } from '../../scripts/lifecycleMarkdown.js'
import { statechartEdges } from '../../scripts/mermaidStatechart.js'

describe('docs/lifecycle.md', () => {
  it('is the diagram generated from the machine (run npm run docs:statechart when this fails)', () => {
    const committed = readFileSync(new URL('../../docs/lifecycle.md', import.meta.url), 'utf8')
    expect(committed).toBe(lifecycleMarkdown())
  })

  it('draws every top-level state of the public contract', () => {
    const states = Object.keys(sessionMachine.root.states)
    expect(states).toEqual([
      'restoring',
      'signedOut',
      'authenticating',
      'oidcRedirectPending',
      'active',
      'refreshing',
      'expired',
    ])
    const drawn = new Set(statechartEdges(sessionMachine).flatMap((e) => [e.from, e.to]))
    for (const state of states) expect([...drawn].some((name) => name.startsWith(state))).toBe(true)
  })
})
