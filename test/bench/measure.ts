/** Small, bounded measuring helpers for the benchmarks: medians over repeated timed samples. */

/** The median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The p-th percentile (0–100) of a list, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number
}

/**
 * Operations per second of `op`, as the median of `samples` timed batches of `batch` calls.
 *
 * @example
 * ```ts
 * await opsPerSecond(() => client.getSession())
 * ```
 */
export async function opsPerSecond(op: () => unknown, options: { batch?: number; samples?: number } = {}) {
  const batch = options.batch ?? 20_000
  const samples = options.samples ?? 7
  const rates: number[] = []
  // Warm up as long as one batch, so the JIT has compiled the call before the first timed batch.
  await timeBatch(op, Math.max(1000, batch))
  for (let s = 0; s < samples; s++) rates.push(batch / ((await timeBatch(op, batch)) / 1000))
  return median(rates)
}

/** Milliseconds `count` calls of `op` take, each awaited when it returns a promise. */
async function timeBatch(op: () => unknown, count: number): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const result = op()
    if (result instanceof Promise) await result
  }
  return performance.now() - start
}

/**
 * How many times faster `a` runs than `b`: batches of each, alternating (and which goes first
 * alternating too), the median of the rounds' ratios. Paired this way, a noisy machine's drift
 * hits both alike.
 *
 * @example
 * ```ts
 * const ratio = await pairedRatio(() => client.getAccessToken(), () => other.getAccessToken())
 * ```
 */
export async function pairedRatio(
  a: () => unknown,
  b: () => unknown,
  options: { batch?: number; rounds?: number } = {},
): Promise<number> {
  const batch = options.batch ?? 100_000
  const rounds = options.rounds ?? 15
  await timeBatch(a, batch)
  await timeBatch(b, batch)
  const ratios: number[] = []
  for (let round = 0; round < rounds; round++) {
    // Which goes first alternates too: a batch right after the other's may inherit its GC debt.
    const [first, second] = round % 2 === 0 ? [a, b] : [b, a]
    const t1 = await timeBatch(first, batch)
    const t2 = await timeBatch(second, batch)
    ratios.push(first === a ? t2 / t1 : t1 / t2)
  }
  return median(ratios)
}
