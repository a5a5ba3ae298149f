// @vitest-environment happy-dom
// Solid adapter: an accessor inside a reactive root; effects follow it and dispose unsubscribes.
import { createComputed, createEffect, createRoot } from 'solid-js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AuthStateSource } from '../../../src/adapters/AuthStateSource.js'
import { createAuthState, createSessions } from '../../../src/adapters/solid.js'
import {
  accessToken,
  activeState,
  behaviorSource,
  counted,
  realClient,
  signedOut,
} from './authStateSources.js'
import { describeSessions, destroyKits, realKit, sessionsSource, summary } from './sessionsSources.js'

// Node's conditions pick Solid's server build, whose signals never notify anyone. The browser
// build is what runs in an app, so test against it (here and inside the adapter).
vi.mock('solid-js', () => {
  const browserBuild = 'solid-js/dist/solid.js'
  return import(/* @vite-ignore */ browserBuild)
})

/** Runs the adapter in a root with an effect that records `status:subject` on every change. */
function track(source: AuthStateSource) {
  const seen: string[] = []
  let dispose!: () => void
  const auth = createRoot((d) => {
    dispose = d
    const accessor = createAuthState(source)
    createComputed(() => seen.push(`${accessor().status}:${accessor().session?.subject ?? '-'}`))
    return accessor
  })
  return { auth, seen, dispose }
}

describe('createAuthState', () => {
  it('reads the current state at once, and computations re-run on every change', () => {
    const source = behaviorSource(activeState('ada'))
    const { auth, seen, dispose } = track(source)
    expect(auth()).toBe(source.getAuthState())
    expect(seen).toEqual(['active:ada'])
    source.set(signedOut)
    source.set(activeState('grace'))
    expect(seen).toEqual(['active:ada', 'signedOut:-', 'active:grace'])
    dispose()
  })

  it('unsubscribes when its root is disposed, and stops updating', () => {
    const source = behaviorSource(signedOut)
    const { seen, dispose } = track(source)
    expect(source.subscribers).toBe(1)
    dispose()
    expect(source.subscribers).toBe(0)
    source.set(activeState('ada'))
    expect(seen).toEqual(['signedOut:-'])
  })

  it('runs effects (scheduled after the root is set up) with the latest state', () => {
    const source = behaviorSource(signedOut)
    const effects: string[] = []
    const dispose = createRoot((d) => {
      const auth = createAuthState(source)
      createEffect(() => effects.push(auth().status))
      return d
    })
    source.set(activeState('ada'))
    expect(effects).toEqual(['signedOut', 'active'])
    dispose()
  })

  it('follows a real client', async () => {
    const client = realClient()
    const source = counted(client)
    const { seen, dispose } = track(source)
    expect(seen).toEqual(['signedOut:-'])
    await client.setTokens({ accessToken: accessToken('ada') })
    expect(seen.at(-1)).toBe('active:ada')
    await client.signOut()
    expect(seen.at(-1)).toBe('signedOut:-')
    dispose()
    expect(source.subscribers).toBe(0)
  })
})

describe('createSessions (a session kit)', () => {
  afterEach(() => destroyKits())

  it('reads the current list at once, re-runs computations on change, and unsubscribes on dispose', () => {
    const source = sessionsSource([summary('ada', true)])
    const seen: string[] = []
    const dispose = createRoot((d) => {
      const sessions = createSessions(source)
      createComputed(() => seen.push(describeSessions(sessions())))
      return d
    })
    source.set([summary('ada'), summary('bob', true)])
    expect(seen).toEqual(['ada*', 'ada,bob*'])
    expect(source.subscribers).toBe(1)
    dispose()
    expect(source.subscribers).toBe(0)
  })

  it('follows a real kit', async () => {
    const kit = realKit()
    const seen: string[] = []
    const dispose = createRoot((d) => {
      const sessions = createSessions(kit)
      createComputed(() => seen.push(describeSessions(sessions())))
      return d
    })
    await kit.signIn({ subject: 'ada' })
    await kit.signIn({ subject: 'bob' })
    expect(seen.at(-1)).toBe('ada,bob*')
    dispose()
  })
})
