/**
 * A software WebAuthn authenticator for Node tests: a hand-made `navigator.credentials` whose
 * passkeys are real P-256 WebCrypto keys, so a real server (@simplewebauthn/server) verifies what
 * it makes. It can also fail each call the way browsers do (DOMException names), hang until
 * aborted, and wait for an autofill pick. `install()` puts it, `PublicKeyCredential`, `location`
 * and a minimal `document` on globalThis; `vi.unstubAllGlobals()` removes them.
 */
import { createHash, webcrypto } from 'node:crypto'
import { vi } from 'vitest'

/** The few CBOR items WebAuthn needs: unsigned and negative integers, byte and text strings, maps. */
function cbor(value: number | string | Uint8Array | Map<number | string, unknown>): Uint8Array {
  const head = (major: number, length: number): number[] => {
    if (length < 24) return [(major << 5) | length]
    if (length < 0x100) return [(major << 5) | 24, length]
    if (length < 0x10000) return [(major << 5) | 25, length >> 8, length & 0xff]
    return [
      (major << 5) | 26,
      (length >>> 24) & 0xff,
      (length >> 16) & 0xff,
      (length >> 8) & 0xff,
      length & 0xff,
    ]
  }
  if (typeof value === 'number') {
    return Uint8Array.from(value >= 0 ? head(0, value) : head(1, -1 - value))
  }
  if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value)
    return concat(Uint8Array.from(head(3, bytes.length)), bytes)
  }
  if (value instanceof Uint8Array) return concat(Uint8Array.from(head(2, value.length)), value)
  const parts: Uint8Array[] = [Uint8Array.from(head(5, value.size))]
  for (const [k, v] of value) parts.push(cbor(k), cbor(v as Parameters<typeof cbor>[0]))
  return concat(...parts)
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const bytes = (source: BufferSource): Uint8Array =>
  source instanceof ArrayBuffer
    ? new Uint8Array(source)
    : new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url')
const buffer = (data: Uint8Array): ArrayBuffer => data.slice().buffer as ArrayBuffer
const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest())

/** WebCrypto signs ECDSA as r‖s; WebAuthn wants an ASN.1 DER signature. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (part: Uint8Array) => {
    let i = 0
    while (i < part.length - 1 && part[i] === 0) i++
    let value: Uint8Array = part.slice(i)
    if ((value[0] ?? 0) & 0x80) value = concat(Uint8Array.of(0), value)
    return concat(Uint8Array.of(0x02, value.length), value)
  }
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)))
  return concat(Uint8Array.of(0x30, body.length), body)
}

/** A passkey the authenticator holds. */
export interface SoftPasskey {
  id: Uint8Array
  rpId: string
  userHandle: Uint8Array
  userName: string
  privateKey: webcrypto.CryptoKey
  signCount: number
}

/** How the next call behaves. */
export type SoftBehaviour =
  | { kind: 'answer' }
  /** Reject with a DOMException of this name, as a browser would. */
  | { kind: 'throw'; name: string; message?: string }
  /** Never answer; only the request's abort signal ends it (a prompt the user ignores). */
  | { kind: 'hang' }

/** What `PublicKeyCredential`'s static feature checks report. */
export interface SoftCapabilities {
  conditionalMediation: boolean
  userVerifyingPlatformAuthenticator: boolean | undefined
  passkeyPlatformAuthenticator: boolean | undefined
  hybridTransport: boolean | undefined
  /** Present Level 3 `getClientCapabilities` at all. */
  clientCapabilities: boolean
}

/** The authenticator and the knobs a test turns. */
export interface SoftAuthenticator {
  passkeys: SoftPasskey[]
  /** Behaviour of the next `create`/`get` calls, until changed. */
  behaviour: SoftBehaviour
  capabilities: SoftCapabilities
  calls: {
    create: number
    get: number
    conditional: number
    /** Requests that ended because their signal aborted them (the prompt was cancelled). */
    aborted: number
    signals: Array<{ rpId: string; credentialId: string }>
  }
  /** Resolves once an autofill (conditional) request is waiting. */
  autofillWaiting(): Promise<void>
  /** Answers the waiting autofill request with the newest passkey, as a user picking it would. */
  pickAutofill(): void
  install(origin: string): void
}

/**
 * Makes a software authenticator. Passkeys are discoverable and user-verified.
 *
 * @example
 * ```ts
 * const authenticator = softAuthenticator()
 * authenticator.install('http://localhost:4000')
 * authenticator.behaviour = { kind: 'throw', name: 'NotAllowedError' }
 * ```
 */
export function softAuthenticator(): SoftAuthenticator {
  let origin = 'http://localhost'
  let waiting: { resolve: () => void; promise: Promise<void> } | null = null
  let pick: (() => void) | null = null
  const newWaiting = () => {
    let resolve!: () => void
    const promise = new Promise<void>((r) => (resolve = r))
    return { resolve, promise }
  }
  waiting = newWaiting()

  const self: SoftAuthenticator = {
    passkeys: [],
    behaviour: { kind: 'answer' },
    capabilities: {
      conditionalMediation: true,
      userVerifyingPlatformAuthenticator: true,
      passkeyPlatformAuthenticator: true,
      hybridTransport: false,
      clientCapabilities: true,
    },
    calls: { create: 0, get: 0, conditional: 0, aborted: 0, signals: [] },
    autofillWaiting: () => waiting?.promise ?? Promise.resolve(),
    pickAutofill: () => pick?.(),
    install(pageOrigin) {
      origin = new URL(pageOrigin).origin
      const url = new URL(`${origin}/`)
      vi.stubGlobal('location', url)
      vi.stubGlobal('navigator', { credentials: { create, get } })
      vi.stubGlobal('document', {
        querySelectorAll: (selector: string) => (selector.includes('webauthn') ? [{}] : []),
      })
      vi.stubGlobal('PublicKeyCredential', publicKeyCredential())
    },
  }

  function publicKeyCredential() {
    const statics: Record<string, unknown> = {
      isConditionalMediationAvailable: async () => self.capabilities.conditionalMediation,
      isUserVerifyingPlatformAuthenticatorAvailable: async () =>
        self.capabilities.userVerifyingPlatformAuthenticator ?? false,
      signalUnknownCredential: async ({ rpId, credentialId }: { rpId: string; credentialId: string }) => {
        self.calls.signals.push({ rpId, credentialId })
        self.passkeys = self.passkeys.filter((p) => !(p.rpId === rpId && b64url(p.id) === credentialId))
      },
    }
    if (self.capabilities.clientCapabilities) {
      statics.getClientCapabilities = async () => ({
        conditionalGet: self.capabilities.conditionalMediation,
        userVerifyingPlatformAuthenticator: self.capabilities.userVerifyingPlatformAuthenticator,
        passkeyPlatformAuthenticator: self.capabilities.passkeyPlatformAuthenticator,
        hybridTransport: self.capabilities.hybridTransport,
      })
    }
    // A constructor, as browsers expose it (`typeof PublicKeyCredential === 'function'`).
    const pkc = () => undefined
    return Object.assign(pkc, statics)
  }

  /** Applies the current behaviour: fail, hang until aborted, or go on. */
  async function behave(signal: AbortSignal | undefined): Promise<void> {
    const behaviour = self.behaviour
    if (signal?.aborted) throw signal.reason
    if (behaviour.kind === 'throw') {
      throw new DOMException(
        behaviour.message ?? `${behaviour.name} from the soft authenticator`,
        behaviour.name,
      )
    }
    if (behaviour.kind === 'hang') {
      await new Promise<never>((_, reject) => {
        signal?.addEventListener(
          'abort',
          () => {
            self.calls.aborted++
            reject(signal.reason)
          },
          { once: true },
        )
      })
    }
  }

  function clientData(type: string, challenge: BufferSource): Uint8Array {
    return new TextEncoder().encode(
      JSON.stringify({ type, challenge: b64url(bytes(challenge)), origin, crossOrigin: false }),
    )
  }

  async function create(options: CredentialCreationOptions) {
    self.calls.create++
    const publicKey = options.publicKey
    if (!publicKey) throw new TypeError('publicKey options are required')
    await behave(options.signal ?? undefined)
    const rpId = publicKey.rp.id ?? new URL(origin).hostname
    const excluded = (publicKey.excludeCredentials ?? []).map((c) => b64url(bytes(c.id)))
    if (self.passkeys.some((p) => p.rpId === rpId && excluded.includes(b64url(p.id)))) {
      throw new DOMException('The authenticator already holds one of these credentials', 'InvalidStateError')
    }
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair
    const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', pair.publicKey))
    const id = webcrypto.getRandomValues(new Uint8Array(32))
    const cose = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, raw.slice(1, 33)],
        [-3, raw.slice(33, 65)],
      ]),
    )
    // Flags: user present, user verified, attested credential data.
    const authData = concat(
      sha256(new TextEncoder().encode(rpId)),
      Uint8Array.of(0x01 | 0x04 | 0x40),
      Uint8Array.of(0, 0, 0, 0),
      new Uint8Array(16),
      Uint8Array.of(id.length >> 8, id.length & 0xff),
      id,
      cose,
    )
    const attestationObject = cbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    )
    self.passkeys.push({
      id,
      rpId,
      userHandle: bytes(publicKey.user.id),
      userName: publicKey.user.name,
      privateKey: pair.privateKey,
      signCount: 0,
    })
    const clientDataJSON = clientData('webauthn.create', publicKey.challenge)
    return {
      id: b64url(id),
      rawId: buffer(id),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: buffer(clientDataJSON),
        attestationObject: buffer(attestationObject),
        getTransports: () => ['internal'],
        getPublicKeyAlgorithm: () => -7,
        getPublicKey: () => null,
        getAuthenticatorData: () => buffer(authData),
      },
      getClientExtensionResults: () => ({}),
    }
  }

  async function get(options: CredentialRequestOptions) {
    self.calls.get++
    const publicKey = options.publicKey
    if (!publicKey) throw new TypeError('publicKey options are required')
    const signal = options.signal ?? undefined
    if (options.mediation === 'conditional') {
      self.calls.conditional++
      // Waits for the user to pick a suggestion (or the request to be aborted).
      await new Promise<void>((resolve, reject) => {
        pick = resolve
        signal?.addEventListener(
          'abort',
          () => {
            self.calls.aborted++
            reject(signal.reason)
          },
          { once: true },
        )
        waiting?.resolve()
      })
      pick = null
      waiting = newWaiting()
    } else {
      await behave(signal)
    }
    const rpId = publicKey.rpId ?? new URL(origin).hostname
    const allowed = (publicKey.allowCredentials ?? []).map((c) => b64url(bytes(c.id)))
    const candidates = self.passkeys.filter(
      (p) => p.rpId === rpId && (allowed.length === 0 || allowed.includes(b64url(p.id))),
    )
    const passkey = candidates.at(-1)
    // Browsers do not reveal that no passkey matched: the prompt just ends without one.
    if (!passkey)
      throw new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError')
    passkey.signCount++
    const count = passkey.signCount
    const authData = concat(
      sha256(new TextEncoder().encode(rpId)),
      Uint8Array.of(0x01 | 0x04),
      Uint8Array.of((count >>> 24) & 0xff, (count >> 16) & 0xff, (count >> 8) & 0xff, count & 0xff),
    )
    const clientDataJSON = clientData('webauthn.get', publicKey.challenge)
    const signed = concat(authData, sha256(clientDataJSON))
    const raw = new Uint8Array(
      await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, passkey.privateKey, signed),
    )
    return {
      id: b64url(passkey.id),
      rawId: buffer(passkey.id),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: buffer(clientDataJSON),
        authenticatorData: buffer(authData),
        signature: buffer(derSignature(raw)),
        userHandle: buffer(passkey.userHandle),
      },
      getClientExtensionResults: () => ({}),
    }
  }

  return self
}

/**
 * Makes `authenticator` stand for a device with no authenticator: no platform authenticator, no
 * passkey provider, no phone (hybrid), and every prompt ends as browsers end it then
 * (NotAllowedError).
 *
 * @example
 * ```ts
 * deviceWithoutAuthenticator(authenticator)
 * await expect(client.signIn()).rejects.toMatchObject({ code: 'PASSKEY_UNAVAILABLE' })
 * ```
 */
export function deviceWithoutAuthenticator(authenticator: SoftAuthenticator): void {
  authenticator.capabilities = {
    ...authenticator.capabilities,
    userVerifyingPlatformAuthenticator: false,
    passkeyPlatformAuthenticator: false,
    hybridTransport: false,
  }
  authenticator.behaviour = { kind: 'throw', name: 'NotAllowedError' }
}
