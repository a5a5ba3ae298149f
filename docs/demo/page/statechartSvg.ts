/** Draws the session machine's top-level states and transitions as SVG, with the current state lit. */
import type { AnyStateMachine } from 'xstate'
import { statechartEdges } from '../../../scripts/mermaidStatechart.js'

/** Where each top-level state sits on the canvas (the only hand-made part: the graph is the machine's). */
export const STATE_LAYOUT: Record<string, { x: number; y: number }> = {
  restoring: { x: 110, y: 60 },
  signedOut: { x: 110, y: 230 },
  authenticating: { x: 390, y: 230 },
  oidcRedirectPending: { x: 390, y: 370 },
  active: { x: 670, y: 230 },
  refreshing: { x: 670, y: 60 },
  expired: { x: 670, y: 370 },
}

const WIDTH = 180
const HEIGHT = 44

/** Where a ray from a box's centre towards (tx, ty) leaves the box. */
function exitPoint(cx: number, cy: number, tx: number, ty: number) {
  const dx = tx - cx
  const dy = ty - cy
  const t = Math.min(
    dx === 0 ? Infinity : WIDTH / 2 / Math.abs(dx),
    dy === 0 ? Infinity : HEIGHT / 2 / Math.abs(dy),
  )
  return { x: cx + dx * t, y: cy + dy * t }
}

function topLevel(name: string): string {
  return name.split('_')[0] as string
}

/**
 * The top-level edges of a machine, one per (from, to) pair, labelled with their events.
 *
 * @example
 * ```ts
 * topLevelEdges(sessionMachine).find((e) => e.from === 'active' && e.to === 'refreshing')?.labels
 * ```
 */
export function topLevelEdges(machine: AnyStateMachine) {
  const edges = new Map<string, { from: string; to: string; labels: Set<string> }>()
  for (const edge of statechartEdges(machine)) {
    const from = edge.from === 'session' ? 'any' : topLevel(edge.from)
    const to = topLevel(edge.to)
    if (from === to) continue
    const key = `${from}->${to}`
    const entry = edges.get(key) ?? { from, to, labels: new Set<string>() }
    entry.labels.add(edge.label.split(' [')[0] as string)
    edges.set(key, entry)
  }
  return [...edges.values()].map((e) => ({ ...e, labels: [...e.labels] }))
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string,
  )
}

/**
 * SVG markup of the statechart. Root-level transitions ("from any state") are listed under the
 * chart rather than drawn from every node.
 *
 * @example
 * ```ts
 * element.innerHTML = renderStatechart(sessionMachine, client.getStatus())
 * ```
 */
export function renderStatechart(machine: AnyStateMachine, current: string): string {
  const states = Object.keys(machine.root.states)
  const edges = topLevelEdges(machine)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 830 500" role="img" aria-label="Session statechart, current state ${escapeXml(current)}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>',
  ]
  for (const edge of edges) {
    if (edge.from === 'any') continue
    const a = STATE_LAYOUT[edge.from]
    const b = STATE_LAYOUT[edge.to]
    if (!a || !b) continue
    const reverse = edges.some((e) => e.from === edge.to && e.to === edge.from)
    // Every edge bows a little to its left, so a pair of opposite edges never overlaps, and
    // long diagonals bow further to clear the boxes they would cross.
    const dx = b.x - a.x
    const dy = b.y - a.y
    const length = Math.hypot(dx, dy)
    // Bow further, a bounded number of times, while the curve would cross another state's box.
    const others = Object.entries(STATE_LAYOUT).filter(([name]) => name !== edge.from && name !== edge.to)
    const control = (bow: number) => ({
      cx: (a.x + b.x) / 2 + (-dy / length) * bow,
      cy: (a.y + b.y) / 2 + (dx / length) * bow,
    })
    const crosses = (cx: number, cy: number) =>
      others.some(([, o]) =>
        Array.from({ length: 21 }, (_, i) => i / 20).some((t) => {
          const x = (1 - t) ** 2 * a.x + 2 * (1 - t) * t * cx + t ** 2 * b.x
          const y = (1 - t) ** 2 * a.y + 2 * (1 - t) * t * cy + t ** 2 * b.y
          return Math.abs(x - o.x) < WIDTH / 2 + 6 && Math.abs(y - o.y) < HEIGHT / 2 + 6
        }),
      )
    let bow = reverse ? 30 : 0
    for (let attempt = 0; attempt < 6 && crosses(control(bow).cx, control(bow).cy); attempt++) bow += 45
    const { cx, cy } = control(bow)
    const start = exitPoint(a.x, a.y, cx, cy)
    const end = exitPoint(b.x, b.y, cx, cy)
    parts.push(
      `<path d="M${start.x.toFixed(1)},${start.y.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${end.x.toFixed(1)},${end.y.toFixed(1)}" fill="none" stroke="#64748b" stroke-width="1.5" marker-end="url(#arrow)" data-edge="${edge.from}->${edge.to}"><title>${escapeXml(edge.labels.join(', '))}</title></path>`,
    )
  }
  for (const state of states) {
    const at = STATE_LAYOUT[state]
    if (!at) continue
    const lit = state === current
    parts.push(
      `<g data-state="${state}" class="${lit ? 'current' : ''}">` +
        `<rect x="${at.x - WIDTH / 2}" y="${at.y - HEIGHT / 2}" width="${WIDTH}" height="${HEIGHT}" rx="12" ` +
        `fill="${lit ? '#2563eb' : '#f8fafc'}" stroke="${lit ? '#1d4ed8' : '#94a3b8'}" stroke-width="${lit ? 3 : 1.5}"/>` +
        `<text x="${at.x}" y="${at.y + 5}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="14" ` +
        `font-weight="${lit ? 700 : 500}" fill="${lit ? '#ffffff' : '#0f172a'}">${state}</text></g>`,
    )
  }
  const fromAny = edges.filter((e) => e.from === 'any').map((e) => `${e.labels.join('/')} → ${e.to}`)
  parts.push(
    `<text x="20" y="428" font-family="system-ui, sans-serif" font-size="11" fill="#475569">From any state:</text>`,
  )
  fromAny.forEach((line, i) => {
    const x = 20 + (i % 2) * 400
    const y = 444 + Math.floor(i / 2) * 15
    parts.push(
      `<text x="${x}" y="${y}" font-family="system-ui, sans-serif" font-size="11" fill="#475569">${escapeXml(line)}</text>`,
    )
  })
  parts.push('</svg>')
  return parts.join('')
}
