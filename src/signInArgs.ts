/**
 * The arguments `client.signIn()` takes, worked out from the methods the client was given: the
 * default (first) method's parameters, or another method's with `{ method: id }`. A wrong method
 * id, wrong parameters, or no parameters where the method needs them are type errors.
 */
import type { AuthMethod } from './authMethod.js'

/**
 * Any sign-in method, whatever its parameters and id: what a list of methods holds.
 *
 * @example
 * ```ts
 * import { oidc } from './oidc/index.js'
 *
 * const methods: AnyAuthMethod[] = [oidc({ issuer: 'https://idp.example', clientId: 'shop', redirectUri: '/cb' })]
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: a list holds methods with differently typed params; signIn's arguments narrow them again
export type AnyAuthMethod = AuthMethod<any, string>

/**
 * The parameters a method's `signIn` takes.
 *
 * @example
 * ```ts
 * import { oidc } from './oidc/index.js'
 *
 * const sso = oidc({ issuer: 'https://idp.example', clientId: 'shop', redirectUri: '/cb' })
 * const params: SignInParamsOf<typeof sso> = { extraParams: { prompt: 'login' } }
 * ```
 */
export type SignInParamsOf<M> = M extends AuthMethod<infer P, string> ? P : never

/** Parameters may be left out when the method accepts `undefined` (or `void`, or anything). */
type Optional<M> = undefined extends SignInParamsOf<M> ? true : false

/** The default method: no `{ method }` needed. */
type DefaultArgs<M extends AnyAuthMethod> =
  Optional<M> extends true
    ? [params?: SignInParamsOf<M>, options?: { method?: M['id'] }]
    : [params: SignInParamsOf<M>, options?: { method?: M['id'] }]

/** Any method, named. */
type ChosenArgs<M> = M extends AnyAuthMethod
  ? Optional<M> extends true
    ? [params: SignInParamsOf<M> | undefined, options: { method: M['id'] }]
    : [params: SignInParamsOf<M>, options: { method: M['id'] }]
  : never

/**
 * `signIn`'s argument list for a client given `Methods`. With a tuple (an array literal), the first
 * method is the default; with an array type whose order is unknown, any method's parameters go.
 *
 * @example
 * ```ts
 * import type { AuthMethod } from './authMethod.js'
 * import { oidc } from './oidc/index.js'
 *
 * const password: AuthMethod<{ user: string; password: string }, 'password'> = {
 *   id: 'password',
 *   async signIn() {
 *     return { accessToken: 'opaque' }
 *   },
 * }
 * const sso = oidc({ issuer: 'https://idp.example', clientId: 'shop', redirectUri: '/cb' })
 * const ok: SignInArgs<[typeof password, typeof sso]> = [{ user: 'ada', password: '…' }]
 * const other: SignInArgs<[typeof password, typeof sso]> = [undefined, { method: 'oidc' }]
 * ```
 */
export type SignInArgs<Methods extends readonly AnyAuthMethod[]> = Methods extends readonly [
  infer First extends AnyAuthMethod,
  ...AnyAuthMethod[],
]
  ? DefaultArgs<First> | { [K in keyof Methods]: ChosenArgs<Methods[K]> }[number]
  : Methods extends readonly []
    ? never
    : // Order unknown: parameters may be left out only when one of the methods takes none.
      Optional<Methods[number]> extends false
      ? [params: SignInParamsOf<Methods[number]>, options?: { method?: Methods[number]['id'] }]
      : [params?: SignInParamsOf<Methods[number]>, options?: { method?: Methods[number]['id'] }]
