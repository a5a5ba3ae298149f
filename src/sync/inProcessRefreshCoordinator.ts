/** The coordinator for one client alone (no other tabs): refreshes are bounded and single-flight. */
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { loadWork } from '../loadWork.js'
import type { RefreshCoordinator } from './SessionSync.js'

/**
 * Refreshes one at a time, each request aborted after `refreshTimeoutMs` and awaited until it
 * settles. The coordination code loads on the first refresh.
 *
 * @example
 * ```ts
 * import { createSessionClient, inProcessRefreshCoordinator } from 'tessera-session'
 *
 * createSessionClient({ appId: 'cli', methods: [], refreshCoordinator: inProcessRefreshCoordinator() })
 * ```
 */
export function inProcessRefreshCoordinator(
  options: { refreshTimeoutMs?: number; environment?: Environment } = {},
): RefreshCoordinator {
  const env = options.environment ?? defaultEnvironment()
  let made: Promise<RefreshCoordinator> | undefined
  return {
    async refresh(record, refresh, signal) {
      made ??= loadWork().then(({ coordinateRefreshes, memoryLock }) =>
        coordinateRefreshes({
          lock: memoryLock(Number.POSITIVE_INFINITY, env),
          markers: null,
          refreshTimeoutMs: options.refreshTimeoutMs ?? 15_000,
          environment: env,
        }),
      )
      return (await made).refresh(record, refresh, signal)
    },
  }
}
