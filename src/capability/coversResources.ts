/** Whether a capability's granted resources cover the resources a request needs (did-session's rules). */
import { decodeRecap, isRecapResource } from './recap.js'

/** `ceramic://*` and the like: a scheme wildcard grants every resource of that scheme (did-session, Ceramic). */
function schemeWildcard(granted: string): string | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/\*$/.exec(granted)
  return m ? `${(m[1] as string).toLowerCase()}://` : null
}

function coversTarget(granted: string, requested: string): boolean {
  if (granted === requested) return true
  const prefix = schemeWildcard(granted)
  return prefix !== null && requested.toLowerCase().startsWith(prefix)
}

/** Every (target, ability) pair the granted ReCaps allow. */
function grantedAbilities(granted: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (const resource of granted) {
    if (!isRecapResource(resource)) continue
    try {
      for (const [target, abilities] of Object.entries(decodeRecap(resource).att)) {
        for (const ability of Object.keys(abilities)) pairs.push([target, ability])
      }
    } catch {
      // An unreadable ReCap grants nothing.
    }
  }
  return pairs
}

/**
 * True when `granted` (a CACAO's `resources`) covers every `requested` resource:
 * - a plain resource is covered by the same string, or by a scheme wildcard such as `ceramic://*`
 *   (which covers `ceramic://<stream>` and `ceramic://*?model=<id>`, as Ceramic checks it);
 * - a requested ReCap (`urn:recap:…`) is covered when every ability on every target it names is
 *   granted by a ReCap among `granted` (targets again matched exactly or by a scheme wildcard).
 *
 * @example
 * ```ts
 * coversResources(['ceramic://*'], ['ceramic://*?model=kjzl6…']) // true
 * coversResources(['https://api.example/posts'], ['https://api.example/admin']) // false
 * ```
 */
export function coversResources(granted: readonly string[], requested: readonly string[]): boolean {
  const plain = granted.filter((g) => !isRecapResource(g))
  let abilities: Array<[string, string]> | undefined
  return requested.every((resource) => {
    if (!isRecapResource(resource)) return plain.some((g) => coversTarget(g, resource))
    abilities ??= grantedAbilities([...granted])
    let wanted: ReturnType<typeof decodeRecap>
    try {
      wanted = decodeRecap(resource)
    } catch {
      return false
    }
    const have = abilities
    return Object.entries(wanted.att).every(([target, needed]) =>
      Object.keys(needed).every((ability) => have.some(([t, a]) => a === ability && coversTarget(t, target))),
    )
  })
}
