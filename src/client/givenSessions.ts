/**
 * `setTokens` and `restore`: a session the app hands over (tokens it got elsewhere, or a string
 * from `serialize()`), built into a record here and established by the machine. Part of the lazy
 * work (lazyWork.ts): most pages never hand a session over.
 */
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { credentialsFromTokenSet, type TokenSet } from '../endpoints/credentialsFromTokenSet.js'
import type { Credentials, Session } from '../session.js'
import { buildSessionRecord } from './buildSessionRecord.js'
import type { ClientRuntime } from './clientRuntime.js'
import { findMethod } from './methodContext.js'
import { deserializeRecord } from './serialization.js'
import { serializationDeps } from './signInOperations.js'

/** Hands a record to the machine and waits for it to settle that attempt (signInOperations.ts). */
export type Establish = (record: SessionRecord) => Promise<Session>

/** Torus's token set (snake_case, with `session_id`) becomes Credentials; Credentials pass as they are. */
function asCredentials(given: Credentials | TokenSet, now: number): Credentials {
  const snake = ['access_token', 'refresh_token', 'id_token', 'session_id', 'expires_in', 'expires_at']
  if (typeof given !== 'object' || given === null || !snake.some((k) => k in given))
    return given as Credentials
  return credentialsFromTokenSet(given as TokenSet, { now })
}

/**
 * `client.setTokens()`: the tokens become a session with a fresh key (deleted again when the
 * machine does not take the session).
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * declare const establish: Establish
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * await setGivenTokens(rt, establish, { accessToken: 'eyJ…', expiresAt: 1_900_000_000 })
 * ```
 */
export async function setGivenTokens(
  rt: ClientRuntime,
  establish: Establish,
  given: Credentials | TokenSet,
  options?: { method?: string },
): Promise<Session> {
  const { deps } = rt
  const methodId = options?.method ?? rt.options.methods[0]?.id ?? 'tokens'
  if (options?.method) findMethod(deps, options.method)
  const credentials = asCredentials(given, deps.env.now())
  const key = deps.keyStore ? await deps.keyStore.create().catch(() => null) : null
  try {
    const record = buildSessionRecord(credentials, {
      methodId,
      refreshable: typeof deps.methods.get(methodId)?.refresh === 'function',
      now: deps.env.now(),
      key,
    })
    return await establish(record)
  } catch (error) {
    if (key) await deps.keyStore?.delete(key.id).catch(() => undefined)
    throw error
  }
}

/**
 * `client.restore()`: a string from `serialize()`, checked against its seal, becomes the session.
 *
 * @example
 * ```ts
 * import { createClientRuntime } from './clientRuntime.js'
 *
 * declare const establish: Establish
 * declare const text: string
 * const rt = createClientRuntime({ appId: 'shop', methods })
 * await restoreSerialized(rt, establish, text)
 * ```
 */
export async function restoreSerialized(
  rt: ClientRuntime,
  establish: Establish,
  serialized: string,
): Promise<Session> {
  return establish(await deserializeRecord(serialized, serializationDeps(rt)))
}
