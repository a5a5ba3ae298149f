import { createInspector } from '@statelyai/inspect'
import { describe, expect, it } from 'vitest'
import { createSessionClient, inspectionSanitizers, memoryStorage } from '../../src/index.js'
import { scriptedMethod } from '../utils/tokens.js'

describe('inspection with @statelyai/inspect', () => {
  it('streams the lifecycle to an inspector, with every token redacted', async () => {
    const received: unknown[] = []
    const inspector = createInspector({ send: (event) => received.push(event) }, { ...inspectionSanitizers })
    const { method } = scriptedMethod()
    const client = createSessionClient({
      appId: 'inspect',
      methods: [method],
      storage: memoryStorage(),
      sync: false,
      inspect: inspector.inspect,
    })
    const session = await client.signIn()
    await client.refresh()
    await new Promise((r) => setTimeout(r, 100)) // the inspector delivers asynchronously
    inspector.stop()
    client.destroy()

    const text = JSON.stringify(received)
    const snapshots = received.filter((e) => (e as { type?: string }).type === '@xstate.snapshot')
    expect(snapshots.length).toBeGreaterThan(3)
    expect(text).toContain('"active"')
    expect(text).toContain('"refreshing"')
    expect(text).toContain('[redacted]')
    expect(text).not.toContain(session.accessToken)
    expect(text).not.toMatch(/rt-\d/) // the scripted method's refresh tokens
  })

  it('without sanitizers the tokens would leak: the redaction is what keeps them out', async () => {
    const received: unknown[] = []
    const inspector = createInspector({ send: (event) => received.push(event) })
    const client = createSessionClient({
      appId: 'inspect-raw',
      methods: [scriptedMethod().method],
      storage: memoryStorage(),
      sync: false,
      inspect: inspector.inspect,
    })
    const session = await client.signIn()
    await new Promise((r) => setTimeout(r, 100)) // the inspector delivers asynchronously
    inspector.stop()
    client.destroy()
    expect(JSON.stringify(received)).toContain(session.accessToken)
  })
})
