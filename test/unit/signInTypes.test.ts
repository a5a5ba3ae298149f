// Issue 10: methods carry their parameter types into `signIn`. The type checks run under
// `npm run typecheck` (tsc over test/); the lines marked @ts-expect-error are errors there, and each
// sits in a function that is never called, so nothing of it runs. The runtime part checks what a
// JavaScript caller (no types) gets for the same mistakes.
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  type AuthMethod,
  createSessionClient,
  memoryKeyStore,
  memoryStorage,
  type SignInArgs,
  type SignInParamsOf,
} from '../../src/index.js'
import { createSessionKit } from '../../src/kit/index.js'
import { oidc } from '../../src/oidc/index.js'
import { wallet } from '../../src/wallet/index.js'
import { scriptedMethod } from '../kit/scriptedMethod.js'
import { destroyedWithTest } from '../kit/testClient.js'

type Password = { user: string; password: string }

const password: AuthMethod<Password, 'password'> = {
  id: 'password',
  async signIn({ user }) {
    return { accessToken: `opaque-${user}`, subject: user }
  },
}
const sso = oidc({ issuer: 'https://idp.example', clientId: 'shop', redirectUri: 'https://app.example/cb' })
const metamask = wallet({
  id: 'metamask',
  provider: () => undefined,
  nonceUrl: 'https://app.example/nonce',
  verifyUrl: 'https://app.example/verify',
})
const options = { appId: 'typed', storage: memoryStorage(), keyStore: memoryKeyStore(), sync: false } as const

/** Compiled, never called: the calls a typed client accepts and refuses. */
function clientCalls() {
  const client = createSessionClient({ ...options, methods: [password, sso, metamask] })
  void client.signIn({ user: 'ada', password: 'correct horse' })
  void client.signIn({ user: 'ada', password: 'correct horse' }, { method: 'password' })
  void client.signIn(undefined, { method: 'oidc' })
  void client.signIn({ extraParams: { prompt: 'login' } }, { method: 'oidc' })
  void client.signIn({ account: '0xabc' }, { method: 'metamask' })
  // @ts-expect-error the default method (password) needs its parameters
  void client.signIn()
  // @ts-expect-error a misspelt parameter
  void client.signIn({ usr: 1 })
  // @ts-expect-error no method has this id
  void client.signIn(42, { method: 'nope' })
  // @ts-expect-error password's parameters are not oidc's
  void client.signIn({ user: 'ada', password: 'x' }, { method: 'oidc' })
  // @ts-expect-error the wallet method was renamed: its id is metamask
  void client.signIn(undefined, { method: 'wallet' })
  // @ts-expect-error oidc's parameters are not the password's
  void client.signIn({ extraParams: {} })

  // A list declared first (an array, order unknown) still needs the parameters its methods need.
  const declared = [password]
  const fromArray = createSessionClient({ ...options, methods: declared })
  void fromArray.signIn({ user: 'ada', password: 'correct horse' })
  // @ts-expect-error every method of the list needs parameters
  void fromArray.signIn()
  // @ts-expect-error a misspelt parameter
  void fromArray.signIn({ usr: 1 })

  // A client whose default method takes no parameters signs in with none.
  const sole = createSessionClient({ ...options, methods: [sso] })
  void sole.signIn()
  // @ts-expect-error a method list without a password method
  void sole.signIn({ user: 'ada', password: 'x' }, { method: 'password' })
}

/** The kit's signIn takes the same arguments as the client's. */
function kitCalls() {
  const kit = createSessionKit({ ...options, methods: [password, sso] })
  void kit.signIn({ user: 'ada', password: 'correct horse' })
  void kit.signIn(undefined, { method: 'oidc' })
  // @ts-expect-error the default method needs its parameters
  void kit.signIn()
  // @ts-expect-error no method has this id
  void kit.signIn(undefined, { method: 'nope' })
}

describe('signIn is typed from the methods given to the client', () => {
  it('worked out per method: parameters, ids, the default method', () => {
    expect([clientCalls, kitCalls].every((f) => typeof f === 'function')).toBe(true)
    expectTypeOf<SignInParamsOf<typeof password>>().toEqualTypeOf<Password>()
    expectTypeOf<SignInParamsOf<typeof sso>>().toEqualTypeOf<
      { extraParams?: Record<string, string> } | undefined
    >()
    expectTypeOf(sso.id).toEqualTypeOf<'oidc'>()
    expectTypeOf(metamask.id).toEqualTypeOf<'metamask'>()
    type Args = SignInArgs<[typeof password, typeof sso]>
    expectTypeOf<[{ user: string; password: string }]>().toExtend<Args>()
    expectTypeOf<[undefined, { method: 'oidc' }]>().toExtend<Args>()
    expectTypeOf<[]>().not.toExtend<Args>()
    expectTypeOf<[42, { method: 'nope' }]>().not.toExtend<Args>()
  })

  it('a list typed as an array (order unknown) still takes any of its methods', () => {
    const methods: AuthMethod[] = [scriptedMethod().method]
    const client = destroyedWithTest(createSessionClient({ ...options, appId: 'loose', methods }))
    expectTypeOf(client.signIn).parameters.toExtend<[params?: unknown, options?: { method?: string }]>()
  })

  it('a JavaScript caller with a wrong method id gets METHOD_NOT_FOUND, and nothing changes', async () => {
    const { method } = scriptedMethod()
    const client = destroyedWithTest(createSessionClient({ ...options, appId: 'js', methods: [method] }))
    const untyped = client.signIn as (params?: unknown, options?: { method?: string }) => Promise<unknown>
    await expect(untyped(42, { method: 'nope' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    expect(client.getStatus()).toBe('signedOut')
    await expect(client.signIn({ subject: 'ada' })).resolves.toMatchObject({ subject: 'ada' })
  })
})
