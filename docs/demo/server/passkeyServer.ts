/**
 * The demo's passkey backend, on @simplewebauthn/server: registration and authentication options
 * and verification with in-memory users and credentials, ES256 JWT access tokens with an expiry,
 * rotating refresh tokens with reuse detection, a logout that revokes tokens and never the passkey,
 * and one API route (`GET <base>me`) that accepts its access tokens. It is mounted on the page's own
 * origin (same-origin: no CORS, and `client.fetch` sends the token there without `apiOrigins`).
 * Counters expose what tests assert.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server'
import { generateKeyPair, jwtVerify, SignJWT } from 'jose'

/** Options of {@link createPasskeyServer}. */
export interface PasskeyServerOptions {
  /** The page's origin, exactly: WebAuthn responses must come from it (`http://localhost:5173`). */
  origin: string
  /** The relying-party id; default the origin's host name. WebAuthn refuses IP addresses. */
  rpID?: string
  rpName?: string
  /** Where the routes live on the page's server; default `/passkey/`. */
  basePath?: string
  /** Access-token lifetime in seconds; default 60 so refreshes can be seen. */
  accessTokenTtl?: number
  /** How long an options challenge can be answered, in seconds; default 300 (autofill waits). */
  challengeTtl?: number
}

/** A stored passkey: what verification needs, and whose it is. */
export interface StoredPasskey {
  id: string
  publicKey: Uint8Array
  counter: number
  transports?: string[]
  userId: string
}

/** An account. `id` is the WebAuthn user handle (base64url) and the tokens' `sub`. */
export interface DemoUser {
  id: string
  name: string
  displayName: string
}

/** What a mounted passkey server offers its host and tests. */
export interface PasskeyServer {
  basePath: string
  rpID: string
  /** Serves one request whose path starts with `basePath`. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
  users: Map<string, DemoUser>
  /** By credential id (base64url). Deleting one makes the server "not know" that passkey. */
  credentials: Map<string, StoredPasskey>
  counters: {
    registrations: number
    authentications: number
    /** Verify calls refused (bad signature, origin, challenge, user verification…). */
    refused: number
    unknownCredentials: number
    refreshCalls: number
    refreshReuseDetections: number
    logouts: number
    apiAccepted: number
    apiRejected: number
  }
  /** The latest refusal's reason, for tests: what the server objected to. */
  lastRefusal: string | null
}

interface PendingChallenge {
  kind: 'registration' | 'authentication'
  user?: DemoUser
  expiresAt: number
}

interface RefreshGrant {
  userId: string
  family: string
  used: boolean
  expiresAt: number
}

const MAX_BODY = 64 * 1024

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) req.destroy(new Error('body too large'))
      else chunks.push(chunk)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        resolve(text ? JSON.parse(text) : {})
      } catch (error) {
        reject(error)
      }
    })
    req.on('error', reject)
  })
}

/** The challenge a response answers, read from its clientDataJSON (verification checks it again). */
function challengeOf(body: unknown): string | null {
  try {
    const encoded = (body as { response?: { clientDataJSON?: unknown } }).response?.clientDataJSON
    if (typeof encoded !== 'string') return null
    const clientData = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as {
      challenge?: unknown
    }
    return typeof clientData.challenge === 'string' ? clientData.challenge : null
  } catch {
    return null
  }
}

/**
 * Creates the passkey server; mount it with `if (path.startsWith(server.basePath)) server.handle(req, res)`.
 *
 * @example
 * ```ts
 * const passkeys = await createPasskeyServer({ origin: 'http://localhost:5173' })
 * http.createServer((req, res) => passkeys.handle(req, res)).listen(5173, '127.0.0.1')
 * ```
 */
export async function createPasskeyServer(options: PasskeyServerOptions): Promise<PasskeyServer> {
  const origin = new URL(options.origin).origin
  const rpID = options.rpID ?? new URL(origin).hostname
  const rpName = options.rpName ?? 'tessera demo'
  const basePath = options.basePath ?? '/passkey/'
  const ttl = options.accessTokenTtl ?? 60
  const challengeTtl = (options.challengeTtl ?? 300) * 1000
  const issuer = `${origin}${basePath}`
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const users = new Map<string, DemoUser>()
  const credentials = new Map<string, StoredPasskey>()
  const challenges = new Map<string, PendingChallenge>()
  const refreshGrants = new Map<string, RefreshGrant>()
  const revokedFamilies = new Set<string>()
  const counters: PasskeyServer['counters'] = {
    registrations: 0,
    authentications: 0,
    refused: 0,
    unknownCredentials: 0,
    refreshCalls: 0,
    refreshReuseDetections: 0,
    logouts: 0,
    apiAccepted: 0,
    apiRejected: 0,
  }
  const server: PasskeyServer = {
    basePath,
    rpID,
    handle,
    users,
    credentials,
    counters,
    lastRefusal: null,
  }

  /** Single use: a challenge is gone after its first verify attempt, whatever the outcome. */
  function takeChallenge(challenge: string | null, kind: PendingChallenge['kind']): PendingChallenge | null {
    const now = Date.now()
    for (const [key, pending] of challenges) if (pending.expiresAt <= now) challenges.delete(key)
    if (!challenge) return null
    const pending = challenges.get(challenge)
    challenges.delete(challenge)
    return pending && pending.kind === kind ? pending : null
  }

  async function issueTokens(user: DemoUser, family: string = randomUUID()) {
    const now = Math.floor(Date.now() / 1000)
    const accessToken = await new SignJWT({ name: user.name, amr: ['passkey'] })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(issuer)
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(privateKey)
    const refreshToken = randomBytes(32).toString('base64url')
    refreshGrants.set(refreshToken, {
      userId: user.id,
      family,
      used: false,
      expiresAt: Date.now() + 24 * 3600 * 1000,
    })
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ttl,
      refresh_token: refreshToken,
      user: { id: user.id, name: user.name, displayName: user.displayName },
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
      res.end(body === undefined ? '' : JSON.stringify(body))
    }
    const refuse = (status: number, error: string, description: string) => {
      counters.refused++
      server.lastRefusal = `${error}: ${description}`
      send(status, { error, error_description: description })
    }
    const route = `${req.method} ${new URL(req.url ?? '/', origin).pathname.slice(basePath.length)}`
    try {
      if (route === 'GET me') return await me(req, send)
      if (req.method !== 'POST') return send(405, { error: 'method_not_allowed' })
      const body = await readBody(req).catch(() => undefined)
      if (typeof body !== 'object' || body === null) return send(400, { error: 'invalid_request' })

      switch (route) {
        case 'POST register/options': {
          const { name, displayName } = body as { name?: unknown; displayName?: unknown }
          if (typeof name !== 'string' || name.trim() === '' || name.length > 64) {
            return send(400, { error: 'invalid_request', error_description: 'name: 1 to 64 characters' })
          }
          const userHandle = randomBytes(16)
          const user: DemoUser = {
            id: userHandle.toString('base64url'),
            name: name.trim(),
            displayName: typeof displayName === 'string' ? displayName : name.trim(),
          }
          const creation = await generateRegistrationOptions({
            rpName,
            rpID,
            userName: user.name,
            userDisplayName: user.displayName,
            userID: new Uint8Array(userHandle),
            attestationType: 'none',
            // A passkey: discoverable, so the next sign-in needs no user name, and verified.
            authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
          })
          challenges.set(creation.challenge, {
            kind: 'registration',
            user,
            expiresAt: Date.now() + challengeTtl,
          })
          return send(200, creation)
        }

        case 'POST register/verify': {
          const pending = takeChallenge(challengeOf(body), 'registration')
          if (!pending?.user) return refuse(400, 'invalid_challenge', 'unknown, used or expired challenge')
          let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>
          try {
            verification = await verifyRegistrationResponse({
              response: body as RegistrationResponseJSON,
              expectedChallenge: challengeOf(body) ?? '',
              expectedOrigin: origin,
              expectedRPID: rpID,
              requireUserVerification: true,
            })
          } catch (error) {
            return refuse(400, 'invalid_response', (error as Error).message)
          }
          if (!verification.verified) return refuse(400, 'invalid_response', 'not verified')
          const { credential } = verification.registrationInfo
          if (credentials.has(credential.id)) return refuse(400, 'invalid_response', 'credential exists')
          users.set(pending.user.id, pending.user)
          credentials.set(credential.id, {
            id: credential.id,
            publicKey: credential.publicKey,
            counter: credential.counter,
            ...(credential.transports ? { transports: credential.transports } : {}),
            userId: pending.user.id,
          })
          counters.registrations++
          return send(200, await issueTokens(pending.user))
        }

        case 'POST authenticate/options': {
          const request = await generateAuthenticationOptions({ rpID, userVerification: 'required' })
          challenges.set(request.challenge, { kind: 'authentication', expiresAt: Date.now() + challengeTtl })
          return send(200, request)
        }

        case 'POST authenticate/verify': {
          const assertion = body as AuthenticationResponseJSON
          const challenge = challengeOf(body)
          if (!takeChallenge(challenge, 'authentication')) {
            return refuse(400, 'invalid_challenge', 'unknown, used or expired challenge')
          }
          const stored = typeof assertion.id === 'string' ? credentials.get(assertion.id) : undefined
          if (!stored) {
            counters.unknownCredentials++
            return refuse(401, 'unknown_credential', 'no such passkey here')
          }
          const user = users.get(stored.userId)
          const handle = assertion.response?.userHandle
          if (!user || (handle !== undefined && handle !== stored.userId)) {
            return refuse(401, 'invalid_response', 'the user handle does not match the passkey')
          }
          let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>
          try {
            verification = await verifyAuthenticationResponse({
              response: assertion,
              expectedChallenge: challenge ?? '',
              expectedOrigin: origin,
              expectedRPID: rpID,
              credential: {
                id: stored.id,
                publicKey: new Uint8Array(stored.publicKey),
                counter: stored.counter,
                ...(stored.transports ? { transports: stored.transports } : {}),
              },
              requireUserVerification: true,
            })
          } catch (error) {
            return refuse(401, 'invalid_response', (error as Error).message)
          }
          if (!verification.verified) return refuse(401, 'invalid_response', 'signature not verified')
          stored.counter = verification.authenticationInfo.newCounter
          counters.authentications++
          return send(200, await issueTokens(user))
        }

        case 'POST token/refresh': {
          counters.refreshCalls++
          const token = (body as { refresh_token?: unknown }).refresh_token
          const grant = typeof token === 'string' ? refreshGrants.get(token) : undefined
          if (!grant || grant.expiresAt <= Date.now() || revokedFamilies.has(grant.family)) {
            return send(401, { error: 'invalid_grant' })
          }
          if (grant.used) {
            // A rotated token came back: someone holds a copy. End the whole family.
            counters.refreshReuseDetections++
            revokedFamilies.add(grant.family)
            return send(401, { error: 'invalid_grant', error_description: 'refresh token reused' })
          }
          grant.used = true
          const user = users.get(grant.userId)
          if (!user) return send(401, { error: 'invalid_grant' })
          return send(200, await issueTokens(user, grant.family))
        }

        case 'POST logout': {
          // Revokes this sign-in's refresh tokens. The passkey stays: the next sign-in is one prompt.
          counters.logouts++
          const token = (body as { refresh_token?: unknown }).refresh_token
          const grant = typeof token === 'string' ? refreshGrants.get(token) : undefined
          if (grant) revokedFamilies.add(grant.family)
          return send(204)
        }
      }
      send(404, { error: 'not_found' })
    } catch (error) {
      send(500, { error: 'server_error', error_description: (error as Error).message })
    }
  }

  /** The API route: accepts this server's unexpired access tokens, nothing else. */
  async function me(
    req: IncomingMessage,
    send: (status: number, body?: unknown, headers?: Record<string, string>) => void,
  ) {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ')
    try {
      if (scheme !== 'Bearer' || !token) throw new Error('no bearer token')
      const { payload } = await jwtVerify(token, publicKey, {
        issuer,
        audience: issuer,
        algorithms: ['ES256'],
        typ: 'at+jwt',
      })
      const user = users.get(String(payload.sub))
      counters.apiAccepted++
      send(200, {
        ok: true,
        sub: payload.sub,
        name: user?.name,
        passkeys: [...credentials.values()].filter((c) => c.userId === payload.sub).length,
      })
    } catch {
      counters.apiRejected++
      send(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' })
    }
  }

  return server
}
