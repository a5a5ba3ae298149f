import { describe, expect, it } from 'vitest'
import { testClient } from '../kit/testClient.js'

describe('hasSessionFor matches accounts (issue 9, item 15)', () => {
  const signedInAs = async (subject: string, extra: { address?: string; authorizations?: string[] } = {}) => {
    const { client } = testClient({ methods: [] })
    await client.setTokens({
      accessToken: 'opaque',
      subject,
      expiresAt: Math.floor(Date.now() / 1000) + 600,
      ...extra,
    })
    return client
  }

  it('a subject compares exactly: ALICE is not alice', async () => {
    const client = await signedInAs('alice')
    expect(client.hasSessionFor('alice')).toBe(true)
    expect(client.hasSessionFor('ALICE')).toBe(false)
    expect(client.hasSessionFor('Alice')).toBe(false)
  })

  it('an address compares case-insensitively, as hex does', async () => {
    const address = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
    const client = await signedInAs(`eip155:1:${address}`, { address })
    expect(client.hasSessionFor(address.toLowerCase())).toBe(true)
    expect(client.hasSessionFor(`eip155:1:${address.toLowerCase()}`)).toBe(true)
    expect(client.hasSessionFor(`did:pkh:eip155:1:${address}`)).toBe(true)
    expect(client.hasSessionFor(`eip155:10:${address}`)).toBe(false)
  })

  it('requested resources must all be among the authorizations; resources and authorizations are one list', async () => {
    const client = await signedInAs('bob', { authorizations: ['https://api.example/a', 'ceramic://*'] })
    expect(client.hasSessionFor('bob', { resources: ['https://api.example/a', 'ceramic://kjzl6x'] })).toBe(
      true,
    )
    expect(client.hasSessionFor('bob', { authorizations: ['https://api.example/a'] })).toBe(true)
    expect(client.hasSessionFor('bob', { resources: ['https://api.example/b'] })).toBe(false)
  })

  it('no session, no match', async () => {
    const { client } = testClient()
    expect(client.hasSessionFor('user-1')).toBe(false)
  })
})
