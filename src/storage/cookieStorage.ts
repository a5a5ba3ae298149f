/** A synchronous storage adapter over `document.cookie`, for the tokens an app wants in a cookie. */
import { SessionError } from '../SessionError.js'
import type { StorageAdapter } from './StorageAdapter.js'

/**
 * Cookie attributes.
 *
 * @example
 * ```ts
 * const options: CookieStorageOptions = { secure: true, sameSite: 'Strict', path: '/', maxAge: 30 * 24 * 3600 }
 * ```
 */
export interface CookieStorageOptions {
  /** Default true: only sent over https (browsers treat http://localhost as secure). */
  secure?: boolean
  /** Default `Lax`. */
  sameSite?: 'Strict' | 'Lax' | 'None'
  /** Default `/`. */
  path?: string
  /** Seconds; default: a session cookie. */
  maxAge?: number
  domain?: string
  /** The document to use; default the global `document`. */
  document?: Pick<Document, 'cookie'>
}

/** Browsers drop cookies over about 4 KB (name, value and attributes together). */
const MAX_COOKIE_BYTES = 4000

/**
 * Stores values in cookies (Torus's `CookieStorage`). Synchronous, so it keeps `getSession()`
 * synchronous. JavaScript can read these cookies: for a refresh token out of script's reach, let
 * your server set an HttpOnly cookie and use a method whose `refresh` sends it.
 *
 * @example
 * ```ts
 * import { createSessionClient, webStorage } from 'tessera-session'
 *
 * const client = createSessionClient({
 *   appId: 'shop',
 *   methods,
 *   storage: { default: webStorage(localStorage), refreshToken: cookieStorage({ sameSite: 'Strict' }) },
 * })
 * ```
 */
export function cookieStorage(options: CookieStorageOptions = {}): StorageAdapter {
  const doc = () => {
    const d = options.document ?? (typeof document === 'undefined' ? undefined : document)
    if (!d) throw new SessionError('STORAGE', 'cookieStorage needs a document')
    return d
  }
  const attributes = (maxAge: number | undefined) =>
    [
      `Path=${options.path ?? '/'}`,
      maxAge !== undefined ? `Max-Age=${maxAge}` : '',
      options.domain ? `Domain=${options.domain}` : '',
      `SameSite=${options.sameSite ?? 'Lax'}`,
      options.secure === false ? '' : 'Secure',
    ]
      .filter(Boolean)
      .join('; ')
  return {
    get(key) {
      const name = `${encodeURIComponent(key)}=`
      for (const part of doc().cookie.split('; ')) {
        if (part.startsWith(name)) return decodeURIComponent(part.slice(name.length))
      }
      return null
    },
    set(key, value) {
      const cookie = `${encodeURIComponent(key)}=${encodeURIComponent(value)}; ${attributes(options.maxAge)}`
      if (cookie.length > MAX_COOKIE_BYTES) {
        throw new SessionError('STORAGE', `The value for "${key}" is too large for a cookie`)
      }
      doc().cookie = cookie
    },
    remove(key) {
      doc().cookie = `${encodeURIComponent(key)}=; ${attributes(0)}`
    },
  }
}
