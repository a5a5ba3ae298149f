/** `client.fetch`, whose machinery (retry on 401, DPoP proofs) loads with the first request. */
import { usableRecord } from '../../machines/sessionSelectors.js'
import type { AuthenticatedRequestInit } from '../http/authenticatedFetch.js'
import { loadWork } from '../loadWork.js'
import type { ClientRuntime } from './clientRuntime.js'
import type { refreshOperations } from './refreshOperations.js'
import { pageLocation } from './signInOperations.js'

type Fetch = (input: RequestInfo | URL, init?: AuthenticatedRequestInit) => Promise<Response>

/**
 * `client.fetch`: the first call loads the authenticated fetch; later calls go straight to it.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 * import { refreshOperations } from './refreshOperations.js'
 *
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * const fetchWithSession = lazyFetch(rt, refreshOperations(rt))
 * await fetchWithSession('/api/orders')
 * ```
 */
export function lazyFetch(rt: ClientRuntime, refreshing: ReturnType<typeof refreshOperations>): Fetch {
  const { deps, actor } = rt
  let loaded: Fetch | undefined
  let loading: Promise<Fetch> | undefined
  let token: Promise<string | null> | undefined
  const load = () => {
    loading ??= loadWork().then(({ createAuthenticatedFetch, requestAuthorizer }) => {
      loaded = createAuthenticatedFetch({
        fetch: deps.fetch,
        environment: deps.env,
        apiOrigins: rt.options.apiOrigins ?? [],
        pageOrigin: () => pageLocation()?.origin ?? null,
        getAccessToken: refreshing.getAccessToken,
        usableRecord: () => usableRecord(rt.current(), deps.env.now()),
        currentRecord: () => actor.getSnapshot().context.record,
        refresh: refreshing.refresh,
        authorize: requestAuthorizer(rt),
      })
      return loaded
    })
    return loading
  }
  return (input, init) => {
    if (loaded) return loaded(input, init)
    // A request that carries no token does not need the machinery: plain fetch, now.
    if (init?.authenticated === false && init.timeoutMs === undefined) {
      const { authenticated: _no, timeoutMs: _none, ...plain } = init
      return deps.fetch(input, plain)
    }
    // The first request overlaps the token's wait (a refresh, the restore) with the chunk's load,
    // instead of starting the refresh only once the machinery has arrived; the requests made
    // meanwhile wait for both, so none of their work runs ahead of the refresh request. A request
    // with a signal or a timeout waits inside the machinery, where they bound the wait.
    if (!loading && init?.authenticated !== false) token = refreshing.getAccessToken().catch(() => null)
    const machinery = load()
    const bounded = init?.signal != null || init?.timeoutMs !== undefined
    return (token && !bounded ? Promise.all([machinery, token]) : machinery).then(() =>
      (loaded as Fetch)(input, init),
    )
  }
}
