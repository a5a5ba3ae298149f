/** EIP-5573 ReCaps: capabilities encoded as a `urn:recap:` SIWE resource, with their consent statement. */
import { SessionError } from '../SessionError.js'

/**
 * A ReCap: for each target URI, the abilities (`namespace/name`) granted on it, each with its
 * restrictions ("nota bene" objects; `[{}]` for none), and the CIDs of parent capabilities.
 *
 * @example
 * ```ts
 * const recap: Recap = { att: { 'https://api.example/posts': { 'crud/read': [{}], 'crud/update': [{}] } }, prf: [] }
 * ```
 */
export interface Recap {
  att: Record<string, Record<string, Array<Record<string, unknown>>>>
  prf: string[]
}

const PREFIX = 'urn:recap:'

/** JSON with object keys sorted at every level (RFC 8785 for the values ReCaps hold). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function toBase64url(text: string): string {
  let binary = ''
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64url(text: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url')
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
}

function invalid(what: string): never {
  throw new SessionError('INVALID_PARAMS', `Not an EIP-5573 ReCap: ${what}`)
}

function checkRecap(value: unknown): Recap {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObject(value) || !isObject(value.att)) invalid('att is missing')
  const prf = value.prf ?? []
  if (!Array.isArray(prf) || prf.some((p) => typeof p !== 'string')) invalid('prf is not a list of CIDs')
  const att: Recap['att'] = {}
  for (const [target, abilities] of Object.entries(value.att)) {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(target)) invalid(`the target ${target} is not a URI`)
    if (!isObject(abilities) || Object.keys(abilities).length === 0) invalid(`no abilities for ${target}`)
    att[target] = {}
    for (const [ability, notes] of Object.entries(abilities)) {
      if (!/^[^/\s]+\/[^/\s]+$/.test(ability)) invalid(`the ability ${ability} is not namespace/name`)
      if (!Array.isArray(notes) || notes.length === 0 || !notes.every(isObject))
        invalid(`the restrictions of ${ability} are not a list of objects`)
      ;(att[target] as Record<string, Array<Record<string, unknown>>>)[ability] = notes as Array<
        Record<string, unknown>
      >
    }
  }
  return { att, prf: prf as string[] }
}

/**
 * True when a SIWE resource is a ReCap.
 *
 * @example
 * ```ts
 * isRecapResource('urn:recap:eyJhdHQiOnt9LCJwcmYiOltdfQ') // true
 * ```
 */
export function isRecapResource(resource: string): boolean {
  return resource.startsWith(PREFIX)
}

/**
 * Encodes a ReCap as its SIWE resource: `urn:recap:` + unpadded base64url of the canonical JSON.
 *
 * @example
 * ```ts
 * const resource = encodeRecap({ att: { 'https://api.example/posts': { 'crud/read': [{}] } }, prf: [] })
 * ```
 */
export function encodeRecap(recap: Recap): string {
  return `${PREFIX}${toBase64url(canonicalJson(checkRecap(recap)))}`
}

/**
 * Decodes a `urn:recap:` resource; throws `SessionError('INVALID_PARAMS')` when it is not one.
 *
 * @example
 * ```ts
 * const last = client.getSession()?.capability?.p.resources?.at(-1)
 * if (last && isRecapResource(last)) decodeRecap(last).att // { 'https://api.example/posts': { 'crud/read': [{}] } }
 * ```
 */
export function decodeRecap(resource: string): Recap {
  if (!isRecapResource(resource)) invalid('the resource does not start with urn:recap:')
  let json: unknown
  try {
    json = JSON.parse(fromBase64url(resource.slice(PREFIX.length)))
  } catch (error) {
    throw new SessionError('INVALID_PARAMS', 'Not an EIP-5573 ReCap: unreadable', { cause: error })
  }
  return checkRecap(json)
}

/**
 * The human-readable ReCap statement EIP-5573 appends to the SIWE statement, so the user reads
 * what they grant: targets and namespaces in order, abilities sorted.
 *
 * @example
 * ```ts
 * recapStatement({ att: { 'https://api.example/posts': { 'crud/read': [{}] } }, prf: [] })
 * // "I further authorize the stated URI to perform the following actions on my behalf: (1) 'crud': 'read' for 'https://api.example/posts'."
 * ```
 */
export function recapStatement(recap: Recap): string {
  const lines: string[] = []
  for (const target of Object.keys(recap.att).sort()) {
    const byNamespace = new Map<string, string[]>()
    for (const ability of Object.keys(recap.att[target] ?? {}).sort()) {
      const [namespace, name] = ability.split('/') as [string, string]
      byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), name])
    }
    for (const namespace of [...byNamespace.keys()].sort()) {
      const names = (byNamespace.get(namespace) as string[]).map((n) => `'${n}'`).join(', ')
      lines.push(`(${lines.length + 1}) '${namespace}': ${names} for '${target}'.`)
    }
  }
  return `I further authorize the stated URI to perform the following actions on my behalf: ${lines.join(' ')}`
}
