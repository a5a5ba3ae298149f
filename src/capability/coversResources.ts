/** Whether a capability's granted resources cover the resources a request needs (did-session's rules). */

const RECAP = 'urn:recap:'

/** `ceramic://*` and the like: a scheme wildcard grants every resource of that scheme (did-session, Ceramic). */
function coversTarget(granted: string, requested: string): boolean {
  if (granted === requested) return true
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)\*$/.exec(granted)
  return m !== null && requested.toLowerCase().startsWith((m[1] as string).toLowerCase())
}

/**
 * The (target, ability) pairs a ReCap resource names, or null when it is unreadable. Kept this
 * small on purpose: it runs in the core entry, and an unreadable ReCap simply grants nothing.
 */
function recapPairs(resource: string): Array<[string, string]> | null {
  try {
    const json = JSON.parse(atob(resource.slice(RECAP.length).replaceAll('-', '+').replaceAll('_', '/')))
    return Object.entries(json.att as Record<string, object>).flatMap(([target, abilities]) =>
      Object.keys(abilities).map((ability): [string, string] => [target, ability]),
    )
  } catch {
    return null
  }
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
  const abilities = granted.flatMap((g) => (g.startsWith(RECAP) ? (recapPairs(g) ?? []) : []))
  return requested.every((resource) => {
    if (!resource.startsWith(RECAP))
      return granted.some((g) => !g.startsWith(RECAP) && coversTarget(g, resource))
    // An unreadable requested ReCap is covered by nothing.
    return (
      recapPairs(resource)?.every(([target, ability]) =>
        abilities.some(([t, a]) => a === ability && coversTarget(t, target)),
      ) ?? false
    )
  })
}
