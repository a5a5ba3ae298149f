/** Builds tessera clients against the loopback OpenID provider and signs them in like a user would. */
import {
  memoryStorage,
  type SessionClient,
  type SessionClientOptions,
  type StorageAdapter,
} from '../../src/index.js'
import { oidc } from '../../src/oidc/index.js'
import { testClient } from '../kit/testClient.js'
import { type OidcFixture, REDIRECT_URI } from './oidcFixture.js'
import { scriptedLogin } from './scriptedLogin.js'

export const SCOPE = 'openid email offline_access api:read'

/**
 * The OIDC method for `fixture`'s provider (its issuer and client, the test redirect URI and
 * {@link SCOPE}, loopback allowed), with the given redirect storage and options.
 *
 * @example
 * ```ts
 * const method = oidcMethod(fixture, { redirectStorage: memoryStorage() })
 * ```
 */
export function oidcMethod(
  fixture: OidcFixture,
  options: { redirectStorage: StorageAdapter; dpop?: false; accessEndpoint?: string },
) {
  return oidc({
    issuer: fixture.op.issuer,
    clientId: fixture.op.clientId,
    redirectUri: REDIRECT_URI,
    scope: SCOPE,
    allowInsecureLoopback: true,
    ...options,
  })
}

/** A client whose one method is OIDC at `fixture`'s provider; destroyed when the test finishes. */
export function makeOidcClient(
  fixture: OidcFixture,
  options: {
    appId?: string
    fetch?: typeof fetch
    dpop?: boolean
    storage?: StorageAdapter
    inspect?: SessionClientOptions['inspect']
    /** Offer device access against the provider's access endpoint. */
    accessEndpoint?: string
  } = {},
) {
  const navigated: string[] = []
  const { client } = testClient({
    appId: options.appId ?? 'oidc-test',
    methods: [
      oidcMethod(fixture, {
        redirectStorage: memoryStorage(),
        ...(options.dpop === false ? { dpop: false } : {}),
        ...(options.accessEndpoint ? { accessEndpoint: options.accessEndpoint } : {}),
      }),
    ],
    ...(options.storage ? { storage: options.storage } : {}),
    navigate: (url) => navigated.push(url),
    apiOrigins: [new URL(fixture.api.url).origin],
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
  })
  return { client, navigated }
}

/** Starts sign-in, logs in at the provider, and returns the callback URL (not yet handled). */
export async function loginAtProvider(client: SessionClient, navigated: string[]) {
  const before = navigated.length
  const pending = client.signIn().catch((error: unknown) => error)
  for (let i = 0; i < 300 && navigated.length === before; i++) await new Promise((r) => setTimeout(r, 10))
  if (navigated.length === before) throw new Error('signIn() never navigated to the provider')
  const callback = await scriptedLogin(navigated[navigated.length - 1] as string, {
    redirectUri: REDIRECT_URI,
  })
  return { callback, pending }
}

/** The whole sign-in, as a user would do it. */
export async function signInThroughProvider(client: SessionClient, navigated: string[]) {
  const { callback, pending } = await loginAtProvider(client, navigated)
  const session = await client.handleRedirectCallback(callback)
  await pending
  return { session, callback }
}
