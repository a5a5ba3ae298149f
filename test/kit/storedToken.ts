/** Reads what the store keeps about tokens, so tests need not know its format. */
import type { StorageAdapter } from '../../src/index.js'

/**
 * The token a split-off slot holds (its value without the generation stamp), or null.
 *
 * @example
 * ```ts
 * expect(storedToken(storage, 'tessera:app:refresh_token')).toMatch(/^rt-/)
 * ```
 */
export function storedToken(storage: StorageAdapter, key: string): string | null {
  const raw = storage.get(key)
  if (typeof raw !== 'string') return null
  try {
    const parsed = JSON.parse(raw) as { value?: unknown }
    return typeof parsed.value === 'string' ? parsed.value : raw
  } catch {
    return raw
  }
}

/**
 * True when storage holds no session record (after sign-out it keeps only which session ended).
 *
 * @example
 * ```ts
 * expect(holdsNoSession(storage, 'tessera:app:session')).toBe(true)
 * ```
 */
export function holdsNoSession(storage: StorageAdapter, key: string): boolean {
  const raw = storage.get(key)
  if (raw === null) return true
  if (typeof raw !== 'string') return false
  const parsed = JSON.parse(raw) as { record?: unknown }
  return parsed.record === null || parsed.record === undefined
}
