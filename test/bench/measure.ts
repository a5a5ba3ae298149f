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
  for (let i = 0; i < Math.max(1000, batch); i++) await op()
  for (let s = 0; s < samples; s++) {
    const start = performance.now()
    for (let i = 0; i < batch; i++) {
      const result = op()
      if (result instanceof Promise) await result
    }
    rates.push(batch / ((performance.now() - start) / 1000))
  }
  return median(rates)
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
  const time = async (op: () => unknown) => {
    const start = performance.now()
    for (let i = 0; i < batch; i++) {
      const result = op()
      if (result instanceof Promise) await result
    }
    return performance.now() - start
  }
  await time(a)
  await time(b)
  const ratios: number[] = []
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0
    const ta = first ? await time(a) : 0
    const tb = await time(b)
    const ta2 = first ? ta : await time(a)
    ratios.push(tb / ta2)
  }
  return median(ratios)
}
