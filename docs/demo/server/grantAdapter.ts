/**
 * oidc-provider's storage for the demo: what its memory adapter does (every model in memory,
 * with expiry, `consume`, and `revokeByGrantId` over each grant's tokens), plus the two indexes
 * the access endpoint needs and the memory adapter cannot give: the grants of each account, and
 * the refresh tokens of each grant.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider'

interface Stored {
  payload: AdapterPayload
  /** ms since the epoch; Infinity without expiry. */
  expiresAt: number
}

/** The models whose records belong to a grant (revoked with it). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
])

/**
 * Creates the store. Pass `adapter` as oidc-provider's `adapter` option; read through the indexes.
 *
 * @example
 * ```ts
 * const store = grantAdapter()
 * const provider = new Provider(issuer, { adapter: store.adapter, ...configuration })
 * store.grantsOf('ada') // grant ids
 * ```
 */
export function grantAdapter() {
  const records = new Map<string, Stored>()
  const byUid = new Map<string, string>()
  const byUserCode = new Map<string, string>()
  /** grant id → keys (`Model:id`) of the records that belong to it. */
  const members = new Map<string, Set<string>>()
  /** account id → grant ids. */
  const grantsByAccount = new Map<string, Set<string>>()

  const live = (key: string): AdapterPayload | undefined => {
    const stored = records.get(key)
    if (!stored) return undefined
    if (stored.expiresAt <= Date.now()) {
      records.delete(key)
      return undefined
    }
    return stored.payload
  }
  const remove = (key: string) => {
    const stored = records.get(key)
    records.delete(key)
    const grantId = stored?.payload.grantId
    if (grantId) members.get(grantId)?.delete(key)
  }

  const adapter = (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id)
        records.set(key, {
          payload: structuredClone(payload),
          expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY,
        })
        if (model === 'Session' && payload.uid) byUid.set(payload.uid, id)
        if (payload.userCode) byUserCode.set(payload.userCode, id)
        if (GRANTABLE.has(model) && payload.grantId) {
          const set = members.get(payload.grantId) ?? new Set()
          set.add(key)
          members.set(payload.grantId, set)
        }
        if (model === 'Grant' && payload.accountId) {
          const set = grantsByAccount.get(payload.accountId) ?? new Set()
          set.add(id)
          grantsByAccount.set(payload.accountId, set)
        }
      },
      async find(id) {
        const payload = live(keyOf(id))
        return payload ? structuredClone(payload) : undefined
      },
      async findByUid(uid) {
        const id = byUid.get(uid)
        return id ? this.find(id) : undefined
      },
      async findByUserCode(userCode) {
        const id = byUserCode.get(userCode)
        return id ? this.find(id) : undefined
      },
      async consume(id) {
        const payload = live(keyOf(id))
        if (payload) payload.consumed = Math.floor(Date.now() / 1000)
      },
      async destroy(id) {
        remove(keyOf(id))
      },
      async revokeByGrantId(grantId) {
        for (const key of [...(members.get(grantId) ?? [])]) {
          if (key.startsWith(`${model}:`)) remove(key)
        }
      },
    }
  }

  return {
    adapter,
    /** The ids of the account's grants that still exist. */
    grantsOf(accountId: string): string[] {
      const ids = [...(grantsByAccount.get(accountId) ?? [])]
      return ids.filter((id) => live(`Grant:${id}`) !== undefined)
    },
    /** A grant's record, or undefined when it expired or was destroyed. */
    grant: (grantId: string) => live(`Grant:${grantId}`),
    /** The grant's refresh tokens that still exist (consumed ones included), as stored. */
    refreshTokensOf(grantId: string): AdapterPayload[] {
      return [...(members.get(grantId) ?? [])]
        .filter((key) => key.startsWith('RefreshToken:'))
        .map((key) => live(key))
        .filter((p): p is AdapterPayload => p !== undefined)
    },
  }
}

/** The store's type. */
export type GrantAdapter = ReturnType<typeof grantAdapter>
