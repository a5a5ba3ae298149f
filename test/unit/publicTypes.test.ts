// Type tests: checked by `npm run typecheck` (tsc over test/), and run as ordinary tests.
import type { Observable } from 'rxjs'
import { describe, expectTypeOf, it } from 'vitest'
import type { TokenSet } from '../../src/endpoints/index.js'
import {
  type AuthMethod,
  type AuthState,
  type Credentials,
  createSessionClient,
  type Session,
  SessionError,
  type SessionErrorCode,
  type SessionExpiredEvent,
  type SessionStatus,
} from '../../src/index.js'

describe('public types', () => {
  it('client reads, streams and operations have the contract types', () => {
    const client = createSessionClient({ appId: 'types', methods: [], sync: false })
    expectTypeOf(client.getSession()).toEqualTypeOf<Session | null>()
    expectTypeOf(client.getStatus()).toEqualTypeOf<SessionStatus>()
    expectTypeOf(client.session$).toEqualTypeOf<Observable<Session | null>>()
    expectTypeOf(client.authState$).toEqualTypeOf<Observable<AuthState>>()
    expectTypeOf(client.sessionExpired$).toEqualTypeOf<Observable<SessionExpiredEvent>>()
    expectTypeOf(client.errors$).toEqualTypeOf<Observable<SessionError>>()
    expectTypeOf(client.refresh).returns.toEqualTypeOf<Promise<string>>()
    expectTypeOf(client.getAccessToken).returns.toEqualTypeOf<Promise<string | null>>()
    expectTypeOf(client.signOut).returns.toEqualTypeOf<Promise<void>>()
    expectTypeOf(client.serialize).returns.toEqualTypeOf<Promise<string | null>>()
    expectTypeOf(client.setTokens).parameter(0).toEqualTypeOf<Credentials | TokenSet>()
    expectTypeOf(client.getRefreshToken).returns.toEqualTypeOf<string | null>()
    expectTypeOf(client.getProviderIdToken).returns.toEqualTypeOf<string | null>()
    expectTypeOf(client.getSessionId).returns.toEqualTypeOf<string | null>()
    expectTypeOf(client.onSessionExpired).parameter(0).parameter(0).toEqualTypeOf<SessionExpiredEvent>()
    expectTypeOf(client.isExpired).toEqualTypeOf<boolean>()
    expectTypeOf(client.expiresInSecs).toEqualTypeOf<number>()
    client.destroy()
  })

  it('SessionError carries a code from the exported union', () => {
    const error = new SessionError('NO_SESSION', 'x', { cause: 1 })
    expectTypeOf(error.code).toEqualTypeOf<SessionErrorCode>()
    expectTypeOf<'SESSION_EXPIRED'>().toExtend<SessionErrorCode>()
    // @ts-expect-error: codes are a closed union
    new SessionError('SOMETHING_ELSE', 'x')
  })

  it('a method types its sign-in params', () => {
    const method: AuthMethod<{ user: string }> = {
      id: 'pw',
      signIn: async (params) => {
        expectTypeOf(params).toEqualTypeOf<{ user: string }>()
        return { accessToken: 't' }
      },
    }
    expectTypeOf(method.signIn).returns.resolves.toExtend<
      Credentials | { type: 'redirect'; url: string | URL }
    >()
  })
})
