// @vitest-environment happy-dom
// React adapter: client renders, server rendering, and hydration of that HTML in a browser that
// already holds a session.
import { act, createElement, StrictMode, useSyncExternalStore } from 'react'
import { createRoot, hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AuthStateSource } from '../../../src/adapters/AuthStateSource.js'
import { useAuthState, useSession, useSessions } from '../../../src/adapters/react.js'
import type { SessionsSource } from '../../../src/adapters/SessionsSource.js'
import { memoryStorage } from '../../../src/index.js'
import {
  accessToken,
  activeState,
  behaviorSource,
  counted,
  realClient,
  signedOut,
} from './authStateSources.js'
import { describeSessions, destroyKits, realKit, sessionsSource, summary } from './sessionsSources.js'

beforeAll(() => {
  Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })
})

const roots: Root[] = []
afterEach(async () => {
  await act(async () => {
    for (const root of roots.splice(0)) root.unmount()
  })
  vi.restoreAllMocks()
})

const describeState = (status: string, subject: string | undefined) => `${status}:${subject ?? '-'}`

/** Renders `status:subject` and records every render, to see exactly what the user saw. */
function Status({ source, renders }: { source: AuthStateSource; renders?: string[] }) {
  const { status, session } = useAuthState(source)
  const text = describeState(status, session?.subject)
  renders?.push(text)
  return createElement('p', null, text)
}

function Subject({ source }: { source: AuthStateSource }) {
  return createElement('span', null, useSession(source)?.subject ?? 'nobody')
}

function SessionProbe({ source, onSession }: { source: AuthStateSource; onSession(session: unknown): void }) {
  onSession(useSession(source))
  return null
}

/** The bug this adapter avoids: the live state handed to React as the server snapshot too. */
function NaiveStatus({ source }: { source: AuthStateSource }) {
  const state = useSyncExternalStore(
    (onChange) => {
      const subscription = source.authState$.subscribe(onChange)
      return () => subscription.unsubscribe()
    },
    () => source.getAuthState(),
    () => source.getAuthState(),
  )
  return createElement('p', null, describeState(state.status, state.session?.subject))
}

async function render(element: ReturnType<typeof createElement>) {
  const container = document.createElement('div')
  const root = createRoot(container)
  roots.push(root)
  await act(async () => root.render(element))
  return { container, root }
}

/** Hydrates server HTML and collects every hydration complaint React makes. */
async function hydrate(html: string, element: ReturnType<typeof createElement>) {
  const container = document.createElement('div')
  container.innerHTML = html
  const complaints: unknown[] = []
  vi.spyOn(console, 'error').mockImplementation((...args) => complaints.push(args))
  await act(async () => {
    roots.push(hydrateRoot(container, element, { onRecoverableError: (error) => complaints.push(error) }))
  })
  return { container, complaints }
}

describe('useAuthState on the client', () => {
  it('shows the current state on the very first render, with no restoring flash', async () => {
    const source = behaviorSource(activeState('ada'))
    const renders: string[] = []
    const { container } = await render(createElement(Status, { source, renders }))
    expect(renders[0]).toBe('active:ada')
    expect(renders).not.toContain('restoring:-')
    expect(container.textContent).toBe('active:ada')
  })

  it('re-renders on every change', async () => {
    const source = behaviorSource(signedOut)
    const { container } = await render(createElement(Status, { source }))
    expect(container.textContent).toBe('signedOut:-')
    await act(async () => source.set(activeState('ada')))
    expect(container.textContent).toBe('active:ada')
    await act(async () => source.set({ status: 'refreshing', session: activeState('ada').session }))
    expect(container.textContent).toBe('refreshing:ada')
    await act(async () => source.set(signedOut))
    expect(container.textContent).toBe('signedOut:-')
  })

  it('holds one subscription per mounted component and releases it on unmount', async () => {
    const source = behaviorSource(signedOut)
    const { root } = await render(
      createElement('div', null, createElement(Status, { source }), createElement(Subject, { source })),
    )
    expect(source.subscribers).toBe(2)
    // Re-renders must not resubscribe (the subscribe function is stable per client).
    for (let i = 0; i < 5; i++) await act(async () => source.set(activeState(`user-${i}`)))
    expect(source.subscriptions).toBe(2)
    await act(async () => root.unmount())
    expect(source.subscribers).toBe(0)
  })

  it('useSession hands out the session object itself', async () => {
    const state = activeState('grace')
    const source = behaviorSource(state)
    let seen: unknown
    await render(createElement(SessionProbe, { source, onSession: (session) => (seen = session) }))
    expect(seen).toBe(state.session)
  })
})

describe('useAuthState with server rendering', () => {
  it('renders restoring on the server without subscribing there', () => {
    const source = behaviorSource(activeState('ada'))
    const html = renderToString(createElement(Status, { source }))
    expect(html).toBe('<p>restoring:-</p>')
    expect(source.subscriptions).toBe(0)
  })

  it('hydrates in a browser that already holds a session without a mismatch, then shows it', async () => {
    // The server knows no session; the browser restored one from its storage before hydrating.
    const html = renderToString(createElement(Status, { source: behaviorSource(signedOut) }))
    const browser = behaviorSource(activeState('ada'))
    const { container, complaints } = await hydrate(html, createElement(Status, { source: browser }))
    expect(complaints).toEqual([])
    expect(container.textContent).toBe('active:ada')
    expect(browser.subscribers).toBe(1)
  })

  it('hydrates without a mismatch under StrictMode, whose double render replays the hydration', async () => {
    const html = renderToString(
      createElement(StrictMode, null, createElement(Status, { source: behaviorSource(signedOut) })),
    )
    const browser = behaviorSource(activeState('ada'))
    const { container, complaints } = await hydrate(
      html,
      createElement(StrictMode, null, createElement(Status, { source: browser })),
    )
    expect(complaints).toEqual([])
    expect(container.textContent).toBe('active:ada')
  })

  it('catches the mismatch the naive server snapshot causes (so the checks above can fail)', async () => {
    const html = renderToString(createElement(NaiveStatus, { source: behaviorSource(signedOut) }))
    const { container, complaints } = await hydrate(
      html,
      createElement(NaiveStatus, { source: behaviorSource(activeState('ada')) }),
    )
    expect(complaints.length).toBeGreaterThan(0)
    expect(String(complaints[0])).toMatch(/hydrat/i)
    expect(container.textContent).toBe('active:ada')
  })
})

describe('useAuthState with a real client', () => {
  it('follows setTokens and signOut, and unsubscribes on unmount', async () => {
    const client = realClient()
    const source = counted(client)
    const renders: string[] = []
    const { container, root } = await render(createElement(Status, { source, renders }))
    expect(renders[0]).toBe('signedOut:-')
    await act(async () => {
      await client.setTokens({ accessToken: accessToken('ada') })
    })
    expect(container.textContent).toBe('active:ada')
    await act(async () => {
      await client.signOut()
    })
    expect(container.textContent).toBe('signedOut:-')
    expect(renders).not.toContain('restoring:-')
    expect(source.subscribers).toBe(1)
    await act(async () => root.unmount())
    expect(source.subscribers).toBe(0)
  })

  it('hydrates server HTML in a browser whose client restored a stored session', async () => {
    // Yesterday's visit left a session in the browser's storage.
    const browserStorage = memoryStorage()
    const earlier = realClient(browserStorage)
    await earlier.setTokens({ accessToken: accessToken('ada') })
    earlier.destroy()

    const html = renderToString(createElement(Status, { source: realClient() }))
    const browserClient = realClient(browserStorage)
    expect(browserClient.getStatus()).toBe('active')
    const { container, complaints } = await hydrate(html, createElement(Status, { source: browserClient }))
    expect(complaints).toEqual([])
    expect(container.textContent).toBe('active:ada')
  })
})

function Sessions({ kit, renders }: { kit: SessionsSource; renders?: string[] }) {
  const text = describeSessions(useSessions(kit))
  renders?.push(text)
  return createElement('p', null, text)
}

describe('useSessions (a session kit)', () => {
  afterEach(() => destroyKits())

  it('shows the current list on the first render, follows changes, and unsubscribes on unmount', async () => {
    const source = sessionsSource([summary('ada', true)])
    const renders: string[] = []
    const { container, root } = await render(createElement(Sessions, { kit: source, renders }))
    expect(renders[0]).toBe('ada*')
    await act(async () => source.set([summary('ada'), summary('bob', true)]))
    expect(container.textContent).toBe('ada,bob*')
    expect(source.subscribers).toBe(1)
    await act(async () => root.unmount())
    expect(source.subscribers).toBe(0)
  })

  it('renders no sessions on the server and hydrates a browser that has some without a mismatch', async () => {
    const html = renderToString(createElement(Sessions, { kit: sessionsSource([summary('ada', true)]) }))
    expect(html).toBe('<p>none</p>')
    const browser = sessionsSource([summary('ada', true), summary('bob')])
    const { container, complaints } = await hydrate(html, createElement(Sessions, { kit: browser }))
    expect(complaints).toEqual([])
    expect(container.textContent).toBe('ada*,bob')
  })

  it('follows a real kit through sign-ins, a switch and a sign-out', async () => {
    const kit = realKit()
    const { container } = await render(createElement(Sessions, { kit }))
    expect(container.textContent).toBe('none')
    await act(async () => {
      await kit.signIn({ subject: 'ada' })
      await kit.signIn({ subject: 'bob' })
    })
    expect(container.textContent).toBe('ada,bob*')
    await act(async () => {
      kit.use(kit.getSessions()[0]?.id as string)
    })
    expect(container.textContent).toBe('ada*,bob')
    await act(async () => {
      await kit.signOut(kit.getSessions()[0]?.id)
    })
    expect(container.textContent).toBe('bob*')
  })
})
