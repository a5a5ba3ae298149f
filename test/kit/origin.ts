/**
 * Several tabs of one browser origin, in one process: a simulated clock, a tab bus, one storage
 * (localStorage), one key store (IndexedDB) and one token server, as a real browser shares them.
 */
import type { Environment, KeyStore, SessionKey } from '../../src/index.js'
import { memoryKeyStore, memoryStorage } from '../../src/index.js'
import { memorySync, simulatedEnvironment } from '../../src/testing/index.js'
import { scriptedMethod } from './scriptedMethod.js'
import { testClient } from './testClient.js'
import { tokenService } from './tokenService.js'

/**
 * A key store that remembers which keys are alive, around another (default: memory, real WebCrypto).
 *
 * @example
 * ```ts
 * const keys = trackingKeyStore()
 * expect(keys.live()).toEqual([record.keyId])
 * ```
 */
export function trackingKeyStore(inner: KeyStore = memoryKeyStore()) {
  const live = new Set<string>()
  return {
    async create(): Promise<SessionKey> {
      const key = await inner.create()
      live.add(key.id)
      return key
    },
    get: (id: string) => inner.get(id),
    async delete(id: string) {
      live.delete(id)
      await inner.delete(id)
    },
    live: () => [...live].sort(),
  }
}

/**
 * What every simulated origin shares: one clock (1 Dec 2026, 10:00 UTC), one tab bus, the given
 * storage and key store, and one token server on that clock (tokens live 300 s unless told).
 *
 * @example
 * ```ts
 * const { env, bus, service } = originParts({ manual: true, storage: memoryStorage(), keys: trackingKeyStore() })
 * ```
 */
export function originParts<S, K>(options: {
  manual: boolean
  storage: S
  keys: K
  lifetimeSeconds?: number
}) {
  const env = simulatedEnvironment({ now: Date.UTC(2026, 11, 1, 10) })
  const bus = memorySync({ manual: options.manual })
  const service = tokenService({ now: () => env.now(), lifetimeSeconds: options.lifetimeSeconds ?? 300 })
  return { env, bus, storage: options.storage, keys: options.keys, service }
}

/**
 * One origin: make tabs with `tab()`, deliver their messages with `bus` (manual by default).
 *
 * @example
 * ```ts
 * const origin = simulatedOrigin()
 * const a = origin.tab()
 * const b = origin.tab({ skewMs: 5_000 })
 * ```
 */
export function simulatedOrigin(options: { manual?: boolean; lifetimeSeconds?: number } = {}) {
  const parts = originParts({
    manual: options.manual ?? true,
    storage: memoryStorage(),
    keys: trackingKeyStore(),
    lifetimeSeconds: options.lifetimeSeconds,
  })
  const { env, bus, storage, keys, service } = parts
  return {
    ...parts,
    /** A new tab (a new client on the shared origin); `skewMs` sets its clock off. */
    tab(tabOptions: { skewMs?: number; environment?: Environment } = {}) {
      const scripted = scriptedMethod({ service })
      const environment = tabOptions.environment ?? (tabOptions.skewMs ? env.skewed(tabOptions.skewMs) : env)
      const { client } = testClient({
        appId: 'shop',
        environment,
        sync: bus,
        storage,
        keyStore: keys,
        methods: [scripted.method],
      })
      return Object.assign(client, { state: scripted.state })
    },
  }
}
