/**
 * Device access on a client: `listAccess`, `listAccessPages` and `revokeAccess`. The calls load
 * on first use (deviceAccessCalls.ts, in lazyWork.ts), so a page that never lists devices never downloads them.
 */
import type { AccessGrant, AccessGrantPage, ListAccessOptions, RevokeAccessOptions } from '../accessGrant.js'
import { loadWork } from '../loadWork.js'
import type { ClientRuntime } from './clientRuntime.js'

/** The client operations device access builds on. */
export interface DeviceAccessDeps {
  getAccessToken(): Promise<string | null>
  signOut(): Promise<void>
}

/**
 * The client's device-access operations.
 *
 * @example
 * ```ts
 * declare const rt: Parameters<typeof deviceAccess>[0]
 * const access = deviceAccess(rt, { getAccessToken: () => client.getAccessToken(), signOut: () => client.signOut() })
 * const grants = await access.listAccess({ pageSize: 25 })
 * ```
 */
export function deviceAccess(rt: ClientRuntime, ops: DeviceAccessDeps) {
  let calls: Promise<ReturnType<typeof import('./deviceAccessCalls.js').deviceAccessCalls>> | undefined
  const load = () => {
    calls ??= loadWork().then((m) => m.deviceAccessCalls(rt, ops))
    return calls
  }
  return {
    listAccess: async (options?: ListAccessOptions): Promise<AccessGrant[]> =>
      (await load()).listAccess(options),
    async *listAccessPages(options?: ListAccessOptions): AsyncGenerator<AccessGrantPage> {
      yield* (await load()).listAccessPages(options)
    },
    revokeAccess: async (options: RevokeAccessOptions): Promise<void> => (await load()).revokeAccess(options),
  }
}
