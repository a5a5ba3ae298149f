import { describe, expect, it } from 'vitest'
import { renderStatechart, STATE_LAYOUT, topLevelEdges } from '../../docs/demo/page/statechartSvg.js'
import { sessionMachine } from '../../machines/session.machine.js'

describe('the demo statechart', () => {
  it('places every top-level state of the machine and lights only the current one', () => {
    for (const state of Object.keys(sessionMachine.root.states))
      expect(STATE_LAYOUT[state], state).toBeDefined()
    const svg = renderStatechart(sessionMachine, 'refreshing')
    expect(svg.match(/class="current"/g)).toHaveLength(1)
    expect(svg).toContain('data-state="refreshing" class="current"')
  })

  it('draws the edges the machine declares, and no others', () => {
    const edges = topLevelEdges(sessionMachine)
    const drawn = new Set(edges.map((e) => `${e.from}->${e.to}`))
    expect(drawn.has('active->refreshing')).toBe(true)
    expect(drawn.has('refreshing->active')).toBe(true)
    expect(drawn.has('refreshing->expired')).toBe(true)
    expect(drawn.has('signedOut->active')).toBe(false)
    const svg = renderStatechart(sessionMachine, 'active')
    for (const edge of edges.filter((e) => e.from !== 'any'))
      expect(svg).toContain(`data-edge="${edge.from}->${edge.to}"`)
  })
})
