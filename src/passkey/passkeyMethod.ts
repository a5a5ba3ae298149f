/** The passkey (WebAuthn) sign-in method: registration, one-prompt sign-in and autofill, on @simplewebauthn/browser. */
import {
  type AuthenticationResponseJSON,
  browserSupportsWebAuthnAutofill,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  sendSignal,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser'
import type { AuthMethod, MethodContext } from '../authMethod.js'
import type { SessionClient } from '../client/SessionClient.js'
import { defaultEnvironment, type Environment } from '../environment/Environment.js'
import { SessionError } from '../SessionError.js'
import type { Credentials, Session } from '../session.js'
import { assertWebAuthn, ceremony, promptTimeLimit } from './passkeyCeremony.js'
import {
  fetchCeremonyOptions,
  type PasskeyTransport,
  postJson,
  refreshTokens,
  verifyCeremony,
} from './passkeyEndpoints.js'

/**
 * Options of {@link passkey}: the server's endpoints, configured like the wallet method's URLs.
 * The request and response JSON of each is in docs/passkeys.md.
 *
 * @example
 * ```ts
 * const options: PasskeyOptions = {
 *   registrationOptionsUrl: '/passkey/register/options',
 *   registrationVerifyUrl: '/passkey/register/verify',
 *   authenticationOptionsUrl: '/passkey/authenticate/options',
 *   authenticationVerifyUrl: '/passkey/authenticate/verify',
 *   refreshUrl: '/passkey/token/refresh',
 *   logoutUrl: '/passkey/logout',
 * }
 * ```
 */
export interface PasskeyOptions {
  /** Method id (`session.method`); default `passkey`. */
  id?: string
  /** POST `{ name, displayName? }` → `PublicKeyCredentialCreationOptionsJSON`. Omit when the app does not sign users up with a passkey. */
  registrationOptionsUrl?: string
  /** POST `RegistrationResponseJSON` → `{ access_token, refresh_token?, expires_in? | expires_at?, user? }`. */
  registrationVerifyUrl?: string
  /** POST `{}` → `PublicKeyCredentialRequestOptionsJSON` (no `allowCredentials`: the user picks a passkey in one prompt). */
  authenticationOptionsUrl: string
  /** POST `AuthenticationResponseJSON` → the same token answer; 4xx `{ error: 'unknown_credential' }` for a passkey it does not know. */
  authenticationVerifyUrl: string
  /** POST `{ refresh_token? }` → the same token answer; 400/401/403 ends the session. Omit when tokens cannot be refreshed. */
  refreshUrl?: string
  /** POST `{ refresh_token? }`, best effort, on sign-out. It revokes tokens; the passkey stays on file. */
  logoutUrl?: string
  /** Default `include`: a server may keep the refresh token in an HttpOnly cookie (baas). */
  credentials?: RequestCredentials
  /**
   * Time limit of a prompt in ms, enforced on the client's clock and passed to the browser.
   * Default: the server options' `timeout`, else 120 000. Autofill has none (it waits for the user).
   */
  timeoutMs?: number
  /**
   * When the server answers `unknown_credential`, tell the browser (WebAuthn Level 3
   * `PublicKeyCredential.signalUnknownCredential`) so the authenticator can hide or remove that
   * stale passkey. Default `true`; a no-op where the browser lacks the Signal API.
   */
  signalUnknownCredential?: boolean
  /** Used by {@link PasskeyMethod.autofill} only, which runs outside a client call; default the global fetch. */
  fetch?: typeof fetch
  /** Used by {@link PasskeyMethod.autofill} only (client calls use the client's); default `defaultEnvironment()`. */
  environment?: Environment
}

/**
 * What `client.signIn(params, { method: 'passkey' })` takes.
 * - nothing: sign in with one prompt; the user picks one of their passkeys for this site.
 * - `{ register: true, name, displayName? }`: create an account and its passkey, and sign in.
 * - `{ assertion, rpId? }`: verify a prompt that already happened (what {@link PasskeyMethod.autofill} sends).
 *
 * @example
 * ```ts
 * await client.signIn({ register: true, name: 'ada@example.com' }, { method: 'passkey' })
 * await client.signOut()
 * await client.signIn(undefined, { method: 'passkey' }) // one prompt
 * ```
 */
export type PasskeySignInParams =
  | { register: true; name: string; displayName?: string }
  | { register?: false; assertion?: AuthenticationResponseJSON; rpId?: string }
  | undefined

/**
 * Options of {@link PasskeyMethod.autofill}.
 *
 * @example
 * ```ts
 * const controller = new AbortController()
 * const options: PasskeyAutofillOptions = { signal: controller.signal }
 * ```
 */
export interface PasskeyAutofillOptions {
  /** Stops waiting for the user (leaving the page, a signed-in state). */
  signal?: AbortSignal
}

/**
 * The passkey method: an {@link AuthMethod} plus `autofill`.
 *
 * @example
 * ```ts
 * const method: PasskeyMethod = passkey({ authenticationOptionsUrl: '/pk/options', authenticationVerifyUrl: '/pk/verify' })
 * ```
 */
export interface PasskeyMethod<Id extends string = string> extends AuthMethod<PasskeySignInParams, Id> {
  /**
   * Conditional UI: offers this site's passkeys in the browser's autofill of an
   * `<input autocomplete="username webauthn">`, waits (without a time limit and without changing
   * the session's state) until the user picks one, then signs in through `client.signIn`.
   * Rejects with `PASSKEY_NOT_SUPPORTED` where the browser has no passkey autofill, `ABORTED` when
   * `signal` aborts or a modal prompt replaces it, `INVALID_PARAMS` when the page has no such input.
   */
  autofill(client: Pick<SessionClient, 'signIn'>, options?: PasskeyAutofillOptions): Promise<Session>
}

/** One method's options, and the autofill that a prompt of this method replaces. */
interface PasskeyState {
  options: PasskeyOptions
  id: string
  credentialsMode: RequestCredentials
  signalUnknown: boolean
  /** The pending autofill, which a prompt of this method replaces (see `signInWithPasskey`). */
  pendingAutofill: AbortController | null
}

type RegistrationParams = Extract<PasskeySignInParams, { register: true }>

/**
 * Passkey sign-in as a tessera method. Registration creates the account and its passkey and signs
 * in; sign-in takes one prompt (discoverable credentials, user verification); `autofill` offers
 * passkeys in the browser's autofill. Sign-out revokes the tokens at `logoutUrl` and never touches
 * the passkey, so the next sign-in is one prompt again. Each outcome a user can branch on has its
 * own code: `PASSKEY_CANCELLED`, `PASSKEY_TIMEOUT`, `PASSKEY_UNAVAILABLE`, `PASSKEY_NOT_SUPPORTED`,
 * `PASSKEY_UNKNOWN`, `PASSKEY_ALREADY_REGISTERED`; a failed sign-in leaves an existing session as it was.
 *
 * @example
 * ```ts
 * import { createSessionClient } from 'tessera-session'
 * import { passkey } from 'tessera-session/passkey'
 *
 * const client = createSessionClient({
 *   appId: 'shop',
 *   methods: [
 *     passkey({
 *       registrationOptionsUrl: '/passkey/register/options',
 *       registrationVerifyUrl: '/passkey/register/verify',
 *       authenticationOptionsUrl: '/passkey/authenticate/options',
 *       authenticationVerifyUrl: '/passkey/authenticate/verify',
 *       refreshUrl: '/passkey/token/refresh',
 *       logoutUrl: '/passkey/logout',
 *     }),
 *   ],
 * })
 * await client.signIn({ register: true, name: 'ada@example.com' }) // creates the passkey
 * client.getSession()?.method // 'passkey'
 * ```
 */
export function passkey<Id extends string = 'passkey'>(
  options: PasskeyOptions & { id?: Id },
): PasskeyMethod<Id> {
  const state: PasskeyState = {
    options,
    id: options.id ?? 'passkey',
    credentialsMode: options.credentials ?? 'include',
    signalUnknown: options.signalUnknownCredential ?? true,
    pendingAutofill: null,
  }
  const method: PasskeyMethod<Id> = {
    id: state.id as Id,
    signIn: (params, ctx) => signInWithPasskey(state, params, ctx),
    autofill: (client, autofillOptions = {}) => autofillWithPasskey(state, client, autofillOptions),
    signOut: (credentials, ctx) => signOutAtLogout(state, credentials, ctx),
  }
  if (options.refreshUrl) {
    const refreshUrl = options.refreshUrl
    method.refresh = (credentials, ctx) =>
      refreshTokens(transportOf(state, ctx), refreshUrl, credentials.refreshToken, ctx.now())
  }
  return method
}

/** Calls inside a client call go through its fetch and stop with its signal. */
function transportOf(state: PasskeyState, ctx: MethodContext): PasskeyTransport {
  return { fetch: ctx.fetch, credentials: state.credentialsMode, signal: ctx.signal }
}

/** `client.signIn(params, { method: 'passkey' })`: verify a given assertion, register, or prompt once. */
async function signInWithPasskey(
  state: PasskeyState,
  params: PasskeySignInParams,
  ctx: MethodContext,
): Promise<Credentials> {
  const transport = transportOf(state, ctx)
  if (params && !params.register && params.assertion) {
    return verifyAssertion(state, params.assertion, params.rpId, transport, ctx.now())
  }
  assertWebAuthn()
  // A prompt replaces a waiting autofill. @simplewebauthn/browser would abort it too, but only
  // once both reached the browser: an autofill still fetching its options would start later
  // and cancel this prompt.
  state.pendingAutofill?.abort()
  if (params?.register) return registerPasskey(state, params, transport, ctx)
  return promptForPasskey(state, transport, ctx)
}

/** Registration: the account and its passkey are created, and the server signs the user in. */
async function registerPasskey(
  state: PasskeyState,
  params: RegistrationParams,
  transport: PasskeyTransport,
  ctx: MethodContext,
): Promise<Credentials> {
  const { options } = state
  if (!options.registrationOptionsUrl || !options.registrationVerifyUrl) {
    throw new SessionError('NOT_SUPPORTED', `Method "${state.id}" has no registration endpoints`)
  }
  if (typeof params.name !== 'string' || params.name.trim() === '') {
    throw new SessionError('INVALID_PARAMS', 'A passkey registration needs a user name')
  }
  const optionsJSON = await fetchCeremonyOptions<PublicKeyCredentialCreationOptionsJSON>(
    transport,
    options.registrationOptionsUrl,
    { name: params.name, ...(params.displayName ? { displayName: params.displayName } : {}) },
  )
  const timeoutMs = promptTimeLimit(options.timeoutMs, optionsJSON.timeout)
  const attestation = await ceremony('registration', ctx.environment, ctx.signal, timeoutMs, () =>
    startRegistration({ optionsJSON: { ...optionsJSON, timeout: timeoutMs } }),
  )
  return verifyCeremony(transport, options.registrationVerifyUrl, attestation, ctx.now())
}

/** Sign-in in one prompt: the user picks one of their passkeys for this site. */
async function promptForPasskey(
  state: PasskeyState,
  transport: PasskeyTransport,
  ctx: MethodContext,
): Promise<Credentials> {
  const optionsJSON = await fetchCeremonyOptions<PublicKeyCredentialRequestOptionsJSON>(
    transport,
    state.options.authenticationOptionsUrl,
    {},
  )
  const timeoutMs = promptTimeLimit(state.options.timeoutMs, optionsJSON.timeout)
  const assertion = await ceremony('authentication', ctx.environment, ctx.signal, timeoutMs, () =>
    startAuthentication({ optionsJSON: { ...optionsJSON, timeout: timeoutMs } }),
  )
  return verifyAssertion(state, assertion, optionsJSON.rpId, transport, ctx.now())
}

/** The verify step of a sign-in; a passkey the server does not know is reported to the browser. */
async function verifyAssertion(
  state: PasskeyState,
  assertion: AuthenticationResponseJSON,
  rpId: string | undefined,
  transport: PasskeyTransport,
  now: number,
): Promise<Credentials> {
  try {
    return await verifyCeremony(transport, state.options.authenticationVerifyUrl, assertion, now)
  } catch (error) {
    if (error instanceof SessionError && error.code === 'PASSKEY_UNKNOWN' && state.signalUnknown) {
      signalUnknownPasskey(assertion, rpId)
    }
    throw error
  }
}

/** Fire and forget (WebAuthn L3 §5.1.10): a browser may hide or remove the stale passkey. */
function signalUnknownPasskey(assertion: AuthenticationResponseJSON, rpId: string | undefined): void {
  const rpID = rpId ?? (typeof location !== 'undefined' ? location.hostname : undefined)
  const browser = (globalThis as { PublicKeyCredential?: { signalUnknownCredential?: unknown } })
    .PublicKeyCredential
  if (rpID && typeof browser?.signalUnknownCredential === 'function') {
    void sendSignal({ signalName: 'unknownCredential', rpID, credentialID: assertion.id }).catch(
      () => undefined,
    )
  }
}

/** Checked before anything waits, so a page learns at once that autofill cannot work here. */
async function assertAutofillPossible(): Promise<void> {
  assertWebAuthn()
  if (!(await browserSupportsWebAuthnAutofill())) {
    throw new SessionError('PASSKEY_NOT_SUPPORTED', 'This browser offers no passkey autofill')
  }
  if (
    typeof document !== 'undefined' &&
    document.querySelectorAll("input[autocomplete$='webauthn']").length === 0
  ) {
    throw new SessionError(
      'INVALID_PARAMS',
      'Passkey autofill needs an <input autocomplete="username webauthn"> on the page',
    )
  }
}

/** {@link PasskeyMethod.autofill}: waits outside any client call, then signs in through the client. */
async function autofillWithPasskey(
  state: PasskeyState,
  client: Pick<SessionClient, 'signIn'>,
  autofillOptions: PasskeyAutofillOptions,
): Promise<Session> {
  await assertAutofillPossible()
  state.pendingAutofill?.abort()
  const controller = new AbortController()
  state.pendingAutofill = controller
  const stop = () => controller.abort(autofillOptions.signal?.reason)
  if (autofillOptions.signal?.aborted) stop()
  autofillOptions.signal?.addEventListener('abort', stop, { once: true })
  const transport: PasskeyTransport = {
    fetch: state.options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    credentials: state.credentialsMode,
    signal: controller.signal,
  }
  let assertion: AuthenticationResponseJSON
  let optionsJSON: PublicKeyCredentialRequestOptionsJSON
  try {
    optionsJSON = await fetchCeremonyOptions<PublicKeyCredentialRequestOptionsJSON>(
      transport,
      state.options.authenticationOptionsUrl,
      {},
    )
    const env = state.options.environment ?? defaultEnvironment()
    assertion = await ceremony('authentication', env, controller.signal, undefined, () =>
      startAuthentication({ optionsJSON, useBrowserAutofill: true }),
    )
  } finally {
    autofillOptions.signal?.removeEventListener('abort', stop)
    if (state.pendingAutofill === controller) state.pendingAutofill = null
  }
  return client.signIn(
    { assertion, ...(optionsJSON.rpId ? { rpId: optionsJSON.rpId } : {}) },
    { method: state.id },
  )
}

/** Revokes the tokens at `logoutUrl`; the passkey stays, so the next sign-in is one prompt. */
async function signOutAtLogout(
  state: PasskeyState,
  credentials: Credentials,
  ctx: MethodContext,
): Promise<void> {
  if (!state.options.logoutUrl) return
  await postJson(
    transportOf(state, ctx),
    state.options.logoutUrl,
    credentials.refreshToken ? { refresh_token: credentials.refreshToken } : {},
  )
}
