/**
 * One browser origin for session kits, in one process: a simulated clock, a tab bus, one storage
 * whose keys can be listed, one key store that knows which keys live, and one token server. Each
 * `tab()` is a kit (a page of the app); `check()` states the kit's invariants.
 */
import { onTestFinished } from 'vitest'
import { parseStoredState } from '../../machines/parseSessionData.js'
import type { KeyStore, SessionKey, StorageAdapter } from '../../src/index.js'
import { createSessionKit, type SessionKit, type SessionKitOptions } from '../../src/kit/index.js'
import { parseRegistry, type RegistryState } from '../../src/kit/sessionRegistry.js'
import { accessMethod } from './accessMethod.js'
import { originParts, trackingKeyStore } from './origin.js'

/**
 * Keys without WebCrypto, for property tests that count keys and sign nothing: thousands of
 * sequences stay fast. Each has a thumbprint of its own (device access tells callers by it).
 *
 * @example
 * ```ts
 * const keys = trackingKeyStore(instantKeyStore())
 * ```
 */
export function instantKeyStore(): KeyStore {
  const keys = new Map<string, SessionKey>()
  let n = 0
  return {
    async create() {
      const id = `k${++n}`
      const key = { id, thumbprint: `t-${id}`, did: `did:key:${id}` } as unknown as SessionKey
      keys.set(id, key)
      return key
    },
    get: async (id) => keys.get(id) ?? null,
    delete: async (id) => {
      keys.delete(id)
    },
  }
}

/**
 * A synchronous storage whose keys can be listed (what localStorage's `key(i)` gives a browser).
 *
 * @example
 * ```ts
 * const storage = listingStorage()
 * storage.keys() // ['tessera:shop:sessions', …]
 * ```
 */
export function listingStorage(): StorageAdapter & { keys(): string[]; values: Map<string, string> } {
  const values = new Map<string, string>()
  return {
    values,
    get: (key) => values.get(key) ?? null,
    set: (key, value) => {
      values.set(key, value)
    },
    remove: (key) => {
      values.delete(key)
    },
    keys: () => [...values.keys()].sort(),
  }
}

/**
 * The origin. `tab()` opens a kit on it (destroyed when the test ends).
 *
 * @example
 * ```ts
 * const origin = kitOrigin()
 * const kit = origin.tab()
 * await kit.signIn({ subject: 'ada' })
 * origin.check()
 * ```
 */
export function kitOrigin(
  options: { manual?: boolean; lifetimeSeconds?: number; keys?: ReturnType<typeof trackingKeyStore> } = {},
) {
  const parts = originParts({
    manual: options.manual ?? false,
    storage: listingStorage(),
    keys: options.keys ?? trackingKeyStore(),
    lifetimeSeconds: options.lifetimeSeconds,
  })
  const { env, bus, storage, keys, service } = parts
  const made = accessMethod({ service, id: 'pw' })
  const kits: SessionKit[] = []
  const appId = 'shop'

  /** The registry as storage holds it. */
  const storedRegistry = (): RegistryState => {
    const raw = storage.get(`tessera:${appId}:sessions`)
    return raw ? parseRegistry(JSON.parse(raw as string)) : { entries: {}, removed: {} }
  }
  /** Per session namespace, what its `session` slot holds: a record (with its key id), or only a marker. */
  const namespaces = () => {
    const out = new Map<string, { record: boolean; keyId?: string; tokens: boolean }>()
    for (const key of storage.keys()) {
      const match = /^tessera:shop\/([0-9a-f]+):(session|refresh_token|id_token)$/.exec(key)
      if (!match) continue
      const id = match[1] as string
      const info = out.get(id) ?? { record: false, tokens: false }
      if (match[2] === 'session') {
        const state = parseStoredState(JSON.parse(storage.get(key) as string))
        if (state.record) {
          info.record = true
          if (state.record.keyId) info.keyId = state.record.keyId
        }
      } else info.tokens = true
      out.set(id, info)
    }
    return out
  }

  return {
    ...parts,
    method: made.method,
    access: made.access,
    kits,
    storedRegistry,
    namespaces,
    tab(extra: Partial<SessionKitOptions> = {}): SessionKit {
      const kit = createSessionKit({
        appId,
        methods: [made.method],
        environment: env,
        sync: bus,
        storage,
        keyStore: keys,
        ...extra,
      })
      kits.push(kit)
      onTestFinished(() => kit.destroy())
      return kit
    },
    /**
     * The kit's invariants, once every message is delivered: storage's registry is what every open
     * kit holds; a namespace holds a session exactly when the registry has a signed-in entry for it;
     * no namespace without an entry holds a token; every live key belongs to a stored session.
     */
    check(open: SessionKit[] = kits) {
      const problems: string[] = []
      const registry = storedRegistry()
      const registered = Object.values(registry.entries)
      const signedIn = new Set(registered.filter((e) => e.phase === 'signedIn').map((e) => e.id))
      const all = new Set(registered.map((e) => e.id))
      const spaces = namespaces()
      for (const [id, info] of spaces) {
        if (info.record && !all.has(id))
          problems.push(`namespace ${id} holds a session the registry does not list`)
        if (info.tokens && !info.record) problems.push(`namespace ${id} holds a token without a session`)
      }
      for (const id of signedIn) {
        if (!spaces.get(id)?.record) problems.push(`registry lists ${id} but its namespace holds no session`)
      }
      const referenced = [...spaces.values()]
        .map((s) => s.keyId)
        .filter((k): k is string => !!k)
        .sort()
      const live = keys.live()
      if (JSON.stringify(live) !== JSON.stringify(referenced))
        problems.push(`live keys ${live.join(',')} vs keys of stored sessions ${referenced.join(',')}`)
      for (const [i, kit] of open.entries()) {
        const ids = kit
          .getSessions()
          .map((s) => s.id)
          .sort()
        if (JSON.stringify(ids) !== JSON.stringify([...signedIn].sort()))
          problems.push(`tab ${i} lists ${ids.join(',')} but storage lists ${[...signedIn].sort().join(',')}`)
        for (const s of kit.getSessions()) {
          if (s.status !== 'active' && s.status !== 'refreshing' && s.status !== 'expired')
            problems.push(`tab ${i}: session ${s.id} (${s.subject}) is ${s.status}`)
        }
      }
      return problems
    },
  }
}
