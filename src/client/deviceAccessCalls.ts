/**
 * Device access, loaded on first use (OMS's `listAccess`, `listAccessPages`, `revokeAccess`): which credentials have
 * access to the signed-in account, and cutting one off. The session's method does the talking
 * (a capability of `AuthMethod`); the client checks what the method answers, works out which grant
 * is this browser's, follows cursors lazily, and signs out everywhere when the caller cut itself off.
 */
import type { SessionRecord } from '../../machines/sessionRecord.js'
import { usableRecord } from '../../machines/sessionSelectors.js'
import type {
  AccessGrant,
  AccessGrantInfo,
  AccessGrantPage,
  ListAccessOptions,
  RevokeAccessOptions,
} from '../accessGrant.js'
import type { AuthMethod } from '../authMethod.js'
import { abortAfter } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import type { ClientRuntime } from './clientRuntime.js'
import { existingKey, methodContext } from './methodContext.js'

const DEFAULT_PAGE_SIZE = 50
const MAX_PAGE_SIZE = 1000
/** A provider that never stops paging is cut off here, whatever its cursors look like. */
const MAX_PAGES = 10_000
/** Bound on each call to the provider, in ms. */
const CALL_TIMEOUT_MS = 15_000

import type { DeviceAccessDeps } from './deviceAccess.js'

function checkPageSize(options: ListAccessOptions | undefined): number {
  const pageSize = options?.pageSize ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new SessionError('INVALID_PARAMS', `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  }
  return pageSize
}

const optionalNumber = (value: unknown) => value === undefined || Number.isFinite(value)

/** A method's grant, checked, with `isCaller` judged against this session's key. */
function toGrant(info: AccessGrantInfo, record: SessionRecord): AccessGrant {
  const valid =
    typeof info === 'object' &&
    info !== null &&
    typeof info.credentialId === 'string' &&
    info.credentialId.length > 0 &&
    Number.isFinite(info.expiresAt) &&
    optionalNumber(info.createdAt) &&
    optionalNumber(info.lastUsedAt) &&
    (info.label === undefined || typeof info.label === 'string') &&
    (info.keyThumbprint === undefined || typeof info.keyThumbprint === 'string')
  if (!valid)
    throw new SessionError('INVALID_RESPONSE', 'The provider listed a grant that is not well formed')
  const thumbprint = record.session.keyThumbprint
  const isCaller =
    info.keyThumbprint !== undefined
      ? thumbprint !== undefined && info.keyThumbprint === thumbprint
      : info.isCaller === true
  return {
    credentialId: info.credentialId,
    expiresAt: info.expiresAt,
    isCaller,
    ...(info.createdAt !== undefined ? { createdAt: info.createdAt } : {}),
    ...(info.lastUsedAt !== undefined ? { lastUsedAt: info.lastUsedAt } : {}),
    ...(info.label !== undefined ? { label: info.label } : {}),
  }
}

type Capability = 'listAccess' | 'revokeAccess'

/** Throws unless the client is alive and some method of it offers `capability`. */
function offered(rt: ClientRuntime, capability: Capability): void {
  if (rt.lifetime.aborted) throw new SessionError('DESTROYED', 'The client was destroyed')
  if (![...rt.deps.methods.values()].some((m) => typeof m[capability] === 'function')) {
    throw new SessionError('NOT_SUPPORTED', `No sign-in method of this client offers ${capability}`)
  }
}

/** The current session's record and method, with an access token fresh enough to send. */
async function current(rt: ClientRuntime, ops: DeviceAccessDeps, capability: Capability, sessionId?: string) {
  const { deps } = rt
  await ops.getAccessToken()
  const record = usableRecord(rt.current(), deps.env.now())
  if (!record) throw new SessionError('NO_SESSION', `${capability} needs a signed-in session`)
  if (sessionId !== undefined && record.session.id !== sessionId) {
    throw new SessionError('ABORTED', 'The session changed while its access was being listed')
  }
  const method = deps.methods.get(record.session.method) as AuthMethod<unknown> | undefined
  if (typeof method?.[capability] !== 'function') {
    throw new SessionError(
      'NOT_SUPPORTED',
      `The method "${record.session.method}" does not offer ${capability}`,
    )
  }
  return { record, method }
}

/** Runs one call to the method, bounded in time and ended by destroy(). */
async function call<T>(
  rt: ClientRuntime,
  record: SessionRecord,
  work: (ctx: ReturnType<typeof methodContext>) => Promise<T>,
) {
  const { deps } = rt
  const bounded = abortAfter(
    deps.env,
    CALL_TIMEOUT_MS,
    new SessionError('TIMEOUT', 'The provider did not answer in time'),
    rt.lifetime,
  )
  try {
    return await work(methodContext(deps, bounded.signal, existingKey(deps, record.keyId)))
  } finally {
    bounded.dispose()
  }
}

/**
 * `listAccess`, `listAccessPages` and `revokeAccess` for one client.
 *
 * @example
 * ```ts
 * declare const rt: Parameters<typeof deviceAccessCalls>[0]
 * const access = deviceAccessCalls(rt, { getAccessToken: () => client.getAccessToken(), signOut: () => client.signOut() })
 * for await (const page of access.listAccessPages({ pageSize: 10 })) console.log(page.grants.length)
 * ```
 */
export function deviceAccessCalls(rt: ClientRuntime, ops: DeviceAccessDeps) {
  const { deps } = rt
  /** Which credentials were this session's, as listings showed them: revokeAccess needs to know. */
  let seen: { sessionId: string; callers: Map<string, boolean> } = { sessionId: '', callers: new Map() }

  async function* listAccessPages(options?: ListAccessOptions): AsyncGenerator<AccessGrantPage> {
    offered(rt, 'listAccess')
    const pageSize = checkPageSize(options)
    const cursors = new Set<string>()
    let cursor: string | undefined
    let sessionId: string | undefined
    for (let page = 0; page < MAX_PAGES; page++) {
      const { record, method } = await current(rt, ops, 'listAccess', sessionId)
      sessionId = record.session.id
      const answer = await call(rt, record, (ctx) =>
        (method.listAccess as NonNullable<AuthMethod['listAccess']>)(
          record.credentials,
          { pageSize, ...(cursor !== undefined ? { cursor } : {}) },
          ctx,
        ),
      )
      if (!answer || !Array.isArray(answer.grants)) {
        throw new SessionError('INVALID_RESPONSE', 'The provider answered a page without grants')
      }
      const grants = answer.grants.map((info) => toGrant(info, record))
      if (seen.sessionId !== record.session.id) seen = { sessionId: record.session.id, callers: new Map() }
      for (const grant of grants) seen.callers.set(grant.credentialId, grant.isCaller)
      const next =
        typeof answer.nextCursor === 'string' && answer.nextCursor !== '' ? answer.nextCursor : null
      if (next !== null && (next === cursor || cursors.has(next))) {
        throw new SessionError(
          'INVALID_RESPONSE',
          'The provider answered a cursor it had answered before: listing stopped instead of going round forever',
        )
      }
      yield { grants, nextCursor: next }
      if (next === null) return
      cursors.add(next)
      cursor = next
    }
    throw new SessionError('INVALID_RESPONSE', `The provider answered more than ${MAX_PAGES} pages`)
  }

  async function listAccess(options?: ListAccessOptions): Promise<AccessGrant[]> {
    const grants: AccessGrant[] = []
    for await (const page of listAccessPages(options)) grants.push(...page.grants)
    return grants
  }

  /** True when `credentialId` is this session's own credential: from the last listing, else listed now. */
  async function isCallerCredential(record: SessionRecord, credentialId: string): Promise<boolean> {
    const known = seen.sessionId === record.session.id ? seen.callers.get(credentialId) : undefined
    if (known !== undefined) return known
    if (typeof deps.methods.get(record.session.method)?.listAccess !== 'function') return false
    for await (const page of listAccessPages({ pageSize: MAX_PAGE_SIZE })) {
      const grant = page.grants.find((g) => g.credentialId === credentialId)
      if (grant) return grant.isCaller
    }
    return false
  }

  async function revokeAccess(options: RevokeAccessOptions): Promise<void> {
    offered(rt, 'revokeAccess')
    const target = options?.targetCredentialId
    if (typeof target !== 'string' || target.length === 0) {
      throw new SessionError('INVALID_PARAMS', 'revokeAccess needs a targetCredentialId from listAccess')
    }
    const { record, method } = await current(rt, ops, 'revokeAccess')
    const ownCredential = await isCallerCredential(record, target)
    await call(rt, record, (ctx) =>
      (method.revokeAccess as NonNullable<AuthMethod['revokeAccess']>)(
        record.credentials,
        { targetCredentialId: target },
        ctx,
      ),
    )
    seen.callers.delete(target)
    // The provider confirmed: this browser's credential is dead, so the session ends in every tab.
    if (ownCredential) await ops.signOut()
  }

  return { listAccess, listAccessPages, revokeAccess }
}
