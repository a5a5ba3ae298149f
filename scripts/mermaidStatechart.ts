/** Draws a machine as a Mermaid state diagram, straight from its definition, so docs never drift. */
import type { AnyStateMachine, AnyStateNode } from 'xstate'

/** One drawn edge: from, to, and its label (event plus guard). */
export interface StatechartEdge {
  from: string
  to: string
  label: string
}

function nodeName(node: AnyStateNode): string {
  // Mermaid ids cannot contain dots: session.restoring.loading → restoring_loading
  return node.path.join('_')
}

function eventLabel(eventType: string): string {
  const done = /^xstate\.done\.actor\.\d+\.(.+)$/.exec(eventType)
  if (done) return 'done'
  const error = /^xstate\.error\.actor\.\d+\.(.+)$/.exec(eventType)
  if (error) return 'error'
  return eventType
}

function guardLabel(guard: unknown): string {
  if (!guard) return ''
  if (typeof guard === 'string') return ` [${guard}]`
  if (typeof guard === 'object' && guard !== null && 'type' in guard)
    return ` [${String((guard as { type: string }).type)}]`
  return ' [guarded]'
}

/**
 * The actions that reach outside the machine (storage, other tabs, keys, navigation, the
 * server): what a reader of the diagram needs to see. Context bookkeeping is left out.
 */
export const EFFECTS = new Set([
  'persist',
  'broadcastSession',
  'broadcastExpired',
  'broadcastSignedOut',
  'navigate',
  'deleteKeys',
  'abandonRedirect',
  'endSession',
])

/**
 * The effect names among a list of XState actions (a spawned actor counts by its source).
 *
 * @example
 * ```ts
 * effectsOf(transition.actions) // ['endSession', 'broadcastSignedOut', 'deleteKeys', 'persist']
 * ```
 */
export function effectsOf(actions: readonly unknown[]): string[] {
  const names = actions.map((a) => {
    if (typeof a === 'string') return a
    if (typeof a === 'function') {
      const fn = a as { type?: string; src?: unknown }
      return fn.type === 'xstate.spawnChild' && typeof fn.src === 'string' ? fn.src : ''
    }
    return (a as { type?: string }).type ?? ''
  })
  return [...new Set(names.filter((n) => EFFECTS.has(n)))]
}

function invokedSource(node: AnyStateNode): string | undefined {
  const first = node.invoke[0] as { src?: unknown } | undefined
  return typeof first?.src === 'string' ? first.src : undefined
}

/**
 * Every transition the machine declares, in declaration order.
 *
 * @example
 * ```ts
 * statechartEdges(sessionMachine).filter((e) => e.from === 'active')
 * ```
 */
export function statechartEdges(machine: AnyStateMachine): StatechartEdge[] {
  const edges: StatechartEdge[] = []
  const visit = (node: AnyStateNode) => {
    const source = invokedSource(node)
    for (const [eventType, transitions] of node.transitions) {
      for (const t of transitions) {
        const base = eventLabel(eventType)
        const label = base === 'done' || base === 'error' ? `${source ?? 'actor'} ${base}` : base
        const effects = effectsOf(t.actions)
        const suffix = effects.length > 0 ? ` / ${effects.join(', ')}` : ''
        for (const target of t.target ?? []) {
          edges.push({
            from: nodeName(node) || 'session',
            to: nodeName(target),
            label: label + guardLabel(t.guard) + suffix,
          })
        }
      }
    }
    for (const t of node.always ?? []) {
      const effects = effectsOf(t.actions)
      const suffix = effects.length > 0 ? ` / ${effects.join(', ')}` : ''
      for (const target of t.target ?? []) {
        edges.push({
          from: nodeName(node),
          to: nodeName(target),
          label: `always${guardLabel(t.guard)}${suffix}`,
        })
      }
    }
    for (const child of Object.values(node.states)) visit(child)
  }
  visit(machine.root)
  return edges
}

/**
 * A Mermaid `stateDiagram-v2` of the machine. Transitions declared on the root (they apply in
 * every state) are drawn from a note-like pseudo state named `any`.
 *
 * @example
 * ```ts
 * writeFileSync('docs/lifecycle.md', '```mermaid\n' + toMermaid(sessionMachine) + '\n```')
 * ```
 */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2']
  const declare = (node: AnyStateNode, indent: string) => {
    const children = Object.values(node.states)
    if (children.length === 0) {
      lines.push(`${indent}${nodeName(node)}: ${node.key}`)
      return
    }
    lines.push(`${indent}state "${node.key}" as ${nodeName(node)} {`)
    const initial = node.config.initial
    if (typeof initial === 'string')
      lines.push(`${indent}  [*] --> ${nodeName(node.states[initial] as AnyStateNode)}`)
    for (const child of children) declare(child, `${indent}  `)
    lines.push(`${indent}}`)
  }
  const root = machine.root
  lines.push(`  [*] --> ${nodeName(root.states[root.config.initial as string] as AnyStateNode)}`)
  for (const child of Object.values(root.states)) declare(child, '  ')
  lines.push('  any: any state')
  for (const edge of statechartEdges(machine)) {
    const from = edge.from === 'session' ? 'any' : edge.from
    lines.push(`  ${from} --> ${edge.to}: ${edge.label}`)
  }
  return lines.join('\n')
}
