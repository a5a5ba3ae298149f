/**
 * A simulated clock, timers and wake-ups, so a test drives time: `advance(ms)` fires timers in
 * order, `sleep(ms)` moves the clock the way a suspended laptop does (timers fire late, on the
 * next `advance`), `wake()` fires the page's wake-up listeners.
 */
import type { Environment } from './Environment.js'

interface Timer {
  id: number
  due: number
  callback: () => void
}

/**
 * An {@link Environment} a test controls.
 *
 * @example
 * ```ts
 * const env = simulatedEnvironment({ now: Date.parse('2026-12-01T10:00:00Z') })
 * await env.advance(60_000) // a minute passes; due timers fire in order
 * ```
 */
export interface SimulatedEnvironment extends Environment {
  /** Moves the clock forward by `ms`, firing every timer that falls due, in order, letting promises settle after each. */
  advance(ms: number): Promise<void>
  /** Moves the clock forward by `ms` without firing timers: they fire, late, on the next `advance`. */
  sleep(ms: number): void
  /** Fires the wake-up listeners (the tab shown again, the network back). */
  wake(): void
  /** Lets pending promises and work settle without moving the clock. */
  settle(): Promise<void>
  /** A view of the same world whose clock is `ms` ahead (negative: behind), as another machine's tab. */
  skewed(ms: number): Environment
  /** How many timers are waiting. */
  readonly pendingTimers: number
}

/** One turn of the real event loop: microtasks and I/O callbacks that are ready run. */
function realTurn(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown }
  if (typeof g.setImmediate === 'function') {
    const immediate = g.setImmediate
    return new Promise((resolve) => immediate(resolve))
  }
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/**
 * Creates a simulated environment starting at `options.now` (ms since the epoch; default
 * 2026-01-01). `random` is seeded, so runs repeat.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 * import { simulatedEnvironment } from 'tessera-session/testing'
 *
 * const env = simulatedEnvironment()
 * const client = createSessionClient({ appId: 'shop', methods, environment: env })
 * await client.signIn({ user: 'ada', password: 'correct horse' })
 * await env.advance(10 * 60_000) // the token refreshed on its own, on the simulated clock
 * ```
 */
export function simulatedEnvironment(options: { now?: number; seed?: number } = {}): SimulatedEnvironment {
  let now = options.now ?? Date.UTC(2026, 0, 1)
  let seed = (options.seed ?? 0x2f6b1d) >>> 0
  let nextId = 1
  const timers: Timer[] = []
  const wakeListeners = new Set<() => void>()

  const settle = async () => {
    for (let i = 0; i < 3; i++) await realTurn()
  }
  const earliestDue = (until: number) => {
    let best: Timer | undefined
    for (const t of timers)
      if (t.due <= until && (!best || t.due < best.due || (t.due === best.due && t.id < best.id))) best = t
    return best
  }
  const base: Environment = {
    now: () => now,
    setTimeout(callback, ms) {
      const timer = { id: nextId++, due: now + Math.max(0, Number.isFinite(ms) ? ms : 0), callback }
      timers.push(timer)
      return timer.id
    },
    clearTimeout(handle) {
      const i = timers.findIndex((t) => t.id === handle)
      if (i >= 0) timers.splice(i, 1)
    },
    random() {
      // mulberry32: small, seeded, good enough for jitter.
      seed = (seed + 0x6d2b79f5) >>> 0
      let t = seed
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    },
    onWake(listener) {
      wakeListeners.add(listener)
      return () => wakeListeners.delete(listener)
    },
  }
  return {
    ...base,
    async advance(ms) {
      const target = now + Math.max(0, ms)
      await settle()
      for (let fired = 0; fired < 100_000; fired++) {
        const timer = earliestDue(target)
        if (!timer) break
        timers.splice(timers.indexOf(timer), 1)
        now = Math.max(now, timer.due)
        timer.callback()
        await settle()
      }
      now = target
      await settle()
    },
    sleep(ms) {
      now += Math.max(0, ms)
    },
    wake() {
      for (const listener of [...wakeListeners]) listener()
    },
    settle,
    skewed(ms) {
      return { ...base, now: () => now + ms }
    },
    get pendingTimers() {
      return timers.length
    },
  }
}
