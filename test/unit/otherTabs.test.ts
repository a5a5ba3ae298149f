import { describe, expect, it } from 'vitest'
import type { SessionError, SessionSync, SyncMessage } from '../../src/index.js'
import { testClient } from '../kit/testClient.js'

/** An in-memory channel between clients, like BroadcastChannel (asynchronous, never to the sender). */
function bus() {
  const members = new Set<(message: unknown) => void>()
  return {
    raw: (message: unknown) => {
      for (const deliver of members) deliver(message)
    },
    member(): SessionSync {
      let mine: ((message: unknown) => void) | undefined
      return {
        publish: (message: SyncMessage) => {
          for (const deliver of members)
            if (deliver !== mine) queueMicrotask(() => deliver(structuredClone(message)))
        },
        subscribe(listener) {
          mine = listener
          members.add(listener)
          return () => members.delete(listener)
        },
        close() {
          if (mine) members.delete(mine)
        },
      }
    },
  }
}

describe('messages from other tabs', () => {
  // Tabs of one app: the same appId, each with its own storage and method.
  const make = (sync: SessionSync) => testClient({ appId: 'tabs', sync }).client

  it('sign-in, refresh, expiry and sign-out in one tab reach the other', async () => {
    const channel = bus()
    const a = make(channel.member())
    const b = make(channel.member())
    const session = await a.signIn()
    await new Promise((r) => setTimeout(r, 0))
    expect(b.getSession()?.accessToken).toBe(session.accessToken)
    const next = await a.refresh()
    await new Promise((r) => setTimeout(r, 0))
    expect(b.getSession()?.accessToken).toBe(next)
    await a.signOut()
    await new Promise((r) => setTimeout(r, 0))
    expect(b.getStatus()).toBe('signedOut')
  })

  it('malformed messages are reported and change nothing', async () => {
    const channel = bus()
    const b = make(channel.member())
    const errors: SessionError[] = []
    b.errors$.subscribe((e) => errors.push(e))
    channel.raw({ type: 'session', from: 'evil', record: { session: { accessToken: 'x' } } })
    channel.raw({ type: 'expired', from: 'evil', expired: { reason: 'because' } })
    channel.raw('not even an object')
    expect(b.getStatus()).toBe('signedOut')
    expect(errors.map((e) => e.code)).toEqual(['INVALID_SESSION', 'INVALID_SESSION', 'INVALID_SESSION'])
  })
})
