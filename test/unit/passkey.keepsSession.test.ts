// Issue 13: "a browser without WebAuthn" and "no authenticator" each give their own code AND "an
// existing session stays as it was". passkey.errors.test.ts checks these two only from signed out.
import { describe, expect, it, vi } from 'vitest'
import { passkey } from '../../src/passkey/index.js'
import { testClient } from '../kit/testClient.js'
import { passkeySuite } from '../utils/passkeyFixture.js'
import { deviceWithoutAuthenticator } from '../utils/softAuthenticator.js'

const suite = passkeySuite()

async function signedIn() {
  const { client } = testClient({
    methods: [passkey(suite.fixture.methodOptions)],
  })
  const session = await client.signIn({ register: true, name: 'ada' })
  return { client, session }
}

describe('passkey failures keep an existing session', () => {
  it('a browser without WebAuthn: PASSKEY_NOT_SUPPORTED, the session as it was', async () => {
    const { client, session } = await signedIn()
    const before = client.getSession()
    vi.stubGlobal('PublicKeyCredential', undefined)
    await expect(client.signIn()).rejects.toMatchObject({ code: 'PASSKEY_NOT_SUPPORTED' })
    await expect(client.signIn({ register: true, name: 'bob' })).rejects.toMatchObject({
      code: 'PASSKEY_NOT_SUPPORTED',
    })
    expect(client.getStatus()).toBe('active')
    expect(client.getSession()).toEqual(before)
    expect(client.getSession()?.id).toBe(session.id)
  })

  it('no authenticator on the device: PASSKEY_UNAVAILABLE, the session as it was', async () => {
    const { client, session } = await signedIn()
    const before = client.getSession()
    deviceWithoutAuthenticator(suite.authenticator)
    await expect(client.signIn({ register: true, name: 'bob' })).rejects.toMatchObject({
      code: 'PASSKEY_UNAVAILABLE',
    })
    await expect(client.signIn()).rejects.toMatchObject({ code: 'PASSKEY_UNAVAILABLE' })
    expect(client.getStatus()).toBe('active')
    expect(client.getSession()).toEqual(before)
    expect(client.getSession()?.id).toBe(session.id)
  })
})
