/** The shapes of device access: the credentials (grants) that have access to the signed-in account. */

/**
 * One credential with access to the account: another browser or device signed in as the same
 * user, or this one. What `client.listAccess()` lists and `client.revokeAccess()` cuts off.
 *
 * @example
 * ```ts
 * const grants = await client.listAccess()
 * for (const grant of grants) console.log(grant.credentialId, grant.label ?? 'unknown device', grant.isCaller ? '(this browser)' : '')
 * ```
 */
export interface AccessGrant {
  /** The provider's id of the credential (for OpenID, the grant); pass it to `revokeAccess`. */
  credentialId: string
  /** Unix seconds when the credential stops working unless it is used (refreshed) again. */
  expiresAt: number
  /** True for the credential this browser's session holds (judged by its key thumbprint). */
  isCaller: boolean
  /** Unix seconds when the credential was granted, where the provider knows. */
  createdAt?: number
  /** Unix seconds when the credential was last used (refreshed), where the provider knows. */
  lastUsedAt?: number
  /** A name for the device, for example its user agent, where the provider knows. */
  label?: string
}

/**
 * One page of grants, as `client.listAccessPages()` yields them.
 *
 * @example
 * ```ts
 * for await (const page of client.listAccessPages({ pageSize: 25 })) render(page.grants)
 * ```
 */
export interface AccessGrantPage {
  grants: AccessGrant[]
  /** The cursor of the next page; null on the last one. */
  nextCursor: string | null
}

/**
 * A grant as a sign-in method reports it: the client works out `isCaller` from `keyThumbprint`
 * (the DPoP `jkt` of the credential) when the method gives one, else takes the method's `isCaller`.
 *
 * @example
 * ```ts
 * const info: AccessGrantInfo = { credentialId: 'grant-1', expiresAt: 1_767_225_600, keyThumbprint: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' }
 * ```
 */
export interface AccessGrantInfo {
  credentialId: string
  expiresAt: number
  /** The RFC 7638 thumbprint of the key the credential is bound to (DPoP `jkt`). */
  keyThumbprint?: string
  /** The provider's own judgement, for credentials bound to no key (Keycloak's `current`). */
  isCaller?: boolean
  createdAt?: number
  lastUsedAt?: number
  label?: string
}

/**
 * What a method's `listAccess` answers: one page, and the cursor of the next (absent or null on the last).
 *
 * @example
 * ```ts
 * const page: AccessGrantInfoPage = { grants: [], nextCursor: null }
 * ```
 */
export interface AccessGrantInfoPage {
  grants: AccessGrantInfo[]
  nextCursor?: string | null
}

/**
 * Options of `client.listAccess()` and `client.listAccessPages()`.
 *
 * @example
 * ```ts
 * const options: ListAccessOptions = { pageSize: 10 }
 * ```
 */
export interface ListAccessOptions {
  /** Grants per request, an integer from 1 to 1000. Default 50. */
  pageSize?: number
}

/**
 * Options of `client.revokeAccess()`.
 *
 * @example
 * ```ts
 * const options: RevokeAccessOptions = { targetCredentialId: 'grant-1' }
 * ```
 */
export interface RevokeAccessOptions {
  /** A `credentialId` from `listAccess`. */
  targetCredentialId: string
}
