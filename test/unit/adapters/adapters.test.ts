// @vitest-environment happy-dom
import { act, createElement } from 'react'
import { createRoot, hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { createRoot as createSolidRoot } from 'solid-js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, watchEffect } from 'vue'
import type { AuthStateSource } from '../../../src/adapters/AuthStateSource.js'
import { useAuthState as useReactAuthState } from '../../../src/adapters/react.js'
import { createAuthState } from '../../../src/adapters/solid.js'
import { authStateStore } from '../../../src/adapters/svelte.js'
import { useAuthState as useVueAuthState } from '../../../src/adapters/vue.js'
import { createSessionClient, memoryStorage, type SessionClient } from '../../../src/index.js'
import { fakeJwt } from '../../utils/tokens.js'

Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })

const token = () => fakeJwt({ sub: 'ada', exp: Math.floor(Date.now() / 1000) + 600 })
const clients: SessionClient[] = []
const makeClient = () => {
  const client = createSessionClient({
    appId: `adapters-${clients.length}`,
    methods: [],
    storage: memoryStorage(),
    sync: false,
    keyStore: false,
  })
  clients.push(client)
  return client
}
/** Counts live subscriptions to authState$, to prove adapters unsubscribe. */
function countingSource(client: SessionClient) {
  let live = 0
  return {
    get live() {
      return live
    },
    getAuthState: client.getAuthState,
    authState$: {
      subscribe(observer: Parameters<typeof client.authState$.subscribe>[0]) {
        live++
        const subscription = client.authState$.subscribe(observer)
        return {
          unsubscribe() {
            live--
            subscription.unsubscribe()
          },
        }
      },
    } as unknown as typeof client.authState$,
  }
}

afterEach(() => {
  for (const c of clients.splice(0)) c.destroy()
})

function StatusView({ source }: { source: AuthStateSource }) {
  const { status, session } = useReactAuthState(source)
  return createElement('p', null, `${status}:${session?.subject ?? '-'}`)
}

function StatusOnlyView({ source }: { source: AuthStateSource }) {
  return createElement('p', null, useReactAuthState(source).status)
}

describe('React', () => {
  it('renders the current state first, re-renders on change, and unsubscribes on unmount', async () => {
    const client = makeClient()
    const source = countingSource(client)
    const container = document.createElement('div')
    const root = createRoot(container)
    await act(async () => root.render(createElement(StatusView, { source })))
    expect(container.textContent).toBe('signedOut:-')
    await act(async () => {
      await client.setTokens({ accessToken: token() })
    })
    expect(container.textContent).toBe('active:ada')
    expect(source.live).toBe(1)
    await act(async () => root.unmount())
    expect(source.live).toBe(0)
  })

  it('hydrates server HTML without a mismatch when both sides read the same storage', async () => {
    const client = makeClient()
    await client.setTokens({ accessToken: token() })
    const html = renderToString(createElement(StatusOnlyView, { source: client }))
    const container = document.createElement('div')
    container.innerHTML = html
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    await act(async () => {
      hydrateRoot(container, createElement(StatusOnlyView, { source: client }), {
        onRecoverableError: (e) => console.error(e),
      })
    })
    expect(container.textContent).toBe('active')
    expect(errors).not.toHaveBeenCalled()
    errors.mockRestore()
  })
})

describe('Vue', () => {
  it('is a readonly ref that follows the session and unsubscribes with its scope', async () => {
    const client = makeClient()
    const source = countingSource(client)
    const scope = effectScope()
    const seen: string[] = []
    const auth = scope.run(() => {
      const ref = useVueAuthState(source)
      watchEffect(() => seen.push(ref.value.status))
      return ref
    })
    expect(auth?.value.status).toBe('signedOut')
    await client.setTokens({ accessToken: token() })
    await nextTick()
    expect(auth?.value.session?.subject).toBe('ada')
    expect(seen.at(-1)).toBe('active')
    scope.stop()
    expect(source.live).toBe(0)
  })
})

describe('Svelte', () => {
  it('honours the store contract: synchronous first value, updates, unsubscribe', async () => {
    const client = makeClient()
    const source = countingSource(client)
    const values: string[] = []
    const unsubscribe = authStateStore(source).subscribe((v) => values.push(v.status))
    expect(values).toEqual(['signedOut'])
    await client.setTokens({ accessToken: token() })
    expect(values.at(-1)).toBe('active')
    unsubscribe()
    expect(source.live).toBe(0)
  })
})

describe('Solid', () => {
  it('is an accessor that follows the session and unsubscribes when its root is disposed', async () => {
    const client = makeClient()
    const source = countingSource(client)
    let dispose!: () => void
    const auth = createSolidRoot((d) => {
      dispose = d
      return createAuthState(source)
    })
    expect(auth().status).toBe('signedOut')
    await client.setTokens({ accessToken: token() })
    expect(auth().session?.subject).toBe('ada')
    dispose()
    expect(source.live).toBe(0)
  })
})
