/** Copies an object without its undefined fields, so stored and compared records stay canonical. */

/**
 * @example
 * ```ts
 * withoutUndefined({ a: 1, b: undefined }) // { a: 1 }
 * ```
 */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
