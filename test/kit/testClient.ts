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
import { scriptedMethod } from './scriptedMethod.js'

let clients = 0

/**
 * A client for one test. Without `methods`, a {@link scriptedMethod} is made and returned.
 *
 * @example
 * ```ts
 * const { client, state } = testClient({ environment: env })
 * await client.signIn()
 * ```
 */
export function testClient(options: Partial<SessionClientOptions> = {}) {
  const clock = options.environment?.now
  const scripted = scriptedMethod(clock ? { now: () => clock() } : {})
  const client: SessionClient = createSessionClient({
    appId: `test-${++clients}`,
    storage: memoryStorage(),
    keyStore: memoryKeyStore(),
    sync: false,
    ...options,
    methods: options.methods ?? [scripted.method],
  })
  onTestFinished(() => client.destroy())
  return { client, ...scripted }
}
