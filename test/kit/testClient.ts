/**
 * The one client builder of the tests: memory storage and keys, no cross-tab channel unless asked,
 * a unique appId, and `destroy()` when the test finishes.
 */
import { onTestFinished } from 'vitest'
import {
  createSessionClient,
  memoryKeyStore,
  memoryStorage,
  type SessionClient,
  type SessionClientOptions,
} from '../../src/index.js'
import { type ScriptedMethodOptions, scriptedMethod } from './scriptedMethod.js'

let clients = 0

/**
 * Destroys `client` when the current test finishes, for tests that build their client themselves
 * (construction options, reloads on shared storage): the cleanup of {@link testClient} alone.
 *
 * @example
 * ```ts
 * const reloaded = destroyedWithTest(createSessionClient({ appId: 'shop', methods, storage }))
 * ```
 */
export function destroyedWithTest<T extends { destroy(): void }>(client: T): T {
  onTestFinished(() => client.destroy())
  return client
}

/**
 * A client for one test. Without `methods`, a {@link scriptedMethod} is made (with `method`'s
 * options; its server reads the client's clock) and returned.
 *
 * @example
 * ```ts
 * const { client, state } = testClient({ environment: env }, { lifetimeSeconds: 60 })
 * await client.signIn()
 * ```
 */
export function testClient(options: Partial<SessionClientOptions> = {}, method: ScriptedMethodOptions = {}) {
  const clock = options.environment?.now
  const scripted = scriptedMethod({ ...(clock ? { now: () => clock() } : {}), ...method })
  const client: SessionClient = createSessionClient({
    appId: `test-${++clients}`,
    storage: memoryStorage(),
    keyStore: memoryKeyStore(),
    sync: false,
    ...options,
    methods: options.methods ?? [scripted.method],
  })
  destroyedWithTest(client)
  return { client, ...scripted }
}
