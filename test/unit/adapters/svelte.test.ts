// @vitest-environment happy-dom
// Svelte adapter: the store contract itself, then real compiled components (runes and Svelte 4
// syntax) mounted in happy-dom, and server rendering.
import { afterEach, describe, expect, it } from 'vitest'
import type { AuthStateSource } from '../../../src/adapters/AuthStateSource.js'
import type { SessionsSource } from '../../../src/adapters/SessionsSource.js'
import * as tesseraSvelte from '../../../src/adapters/svelte.js'
import { authStateStore, sessionsStore } from '../../../src/adapters/svelte.js'
import type { AuthState } from '../../../src/index.js'
import {
  accessToken,
  activeState,
  behaviorSource,
  counted,
  realClient,
  signedOut,
} from './authStateSources.js'
import { compileSvelte, svelteClient } from './compileSvelte.js'
import { describeSessions, destroyKits, realKit, sessionsSource, summary } from './sessionsSources.js'

type Props = { client: AuthStateSource }

const modules = { 'tessera-session/svelte': tesseraSvelte }

const runesComponent = `<script>
  import { authStateStore } from 'tessera-session/svelte'
  let { client } = $props()
  const auth = authStateStore(client)
</script>
<p>{$auth.status}:{$auth.session?.subject ?? '-'}</p>`

const svelte4Component = `<script>
  import { authStateStore } from 'tessera-session/svelte'
  export let client
  const auth = authStateStore(client)
</script>
<p>{$auth.status}:{$auth.session?.subject ?? '-'}</p>`

describe('authStateStore, the contract', () => {
  it('calls run synchronously with the current value, then on every change, until unsubscribed', () => {
    const source = behaviorSource(activeState('ada'))
    const seen: AuthState[] = []
    const unsubscribe = authStateStore(source).subscribe((value) => seen.push(value))
    expect(seen).toEqual([source.getAuthState()])
    source.set(signedOut)
    expect(seen.at(-1)).toBe(signedOut)
    unsubscribe()
    expect(source.subscribers).toBe(0)
    source.set(activeState('grace'))
    expect(seen).toHaveLength(2)
  })

  it('gives every subscriber its own subscription', () => {
    const source = behaviorSource(signedOut)
    const store = authStateStore(source)
    const stopA = store.subscribe(() => undefined)
    const stopB = store.subscribe(() => undefined)
    expect(source.subscribers).toBe(2)
    stopA()
    expect(source.subscribers).toBe(1)
    stopB()
    expect(source.subscribers).toBe(0)
  })
})

describe('authStateStore in compiled components', () => {
  for (const [syntax, component] of [
    ['Svelte 5 runes', runesComponent],
    ['Svelte 4 syntax', svelte4Component],
  ] as const) {
    it(`${syntax}: $auth renders the current state first, follows changes, and unsubscribes on unmount`, async () => {
      const { mount, unmount, flushSync } = await svelteClient()
      const Component = await compileSvelte<Props>(component, 'client', modules)
      const source = behaviorSource(activeState('ada'))
      const target = document.createElement('div')
      const instance = mount(Component, { target, props: { client: source } })
      expect(target.textContent).toBe('active:ada')
      source.set(signedOut)
      flushSync()
      expect(target.textContent).toBe('signedOut:-')
      expect(source.subscribers).toBe(1)
      await unmount(instance)
      expect(source.subscribers).toBe(0)
    })
  }

  it('follows a real client', async () => {
    const { mount, unmount, flushSync } = await svelteClient()
    const Component = await compileSvelte<Props>(runesComponent, 'client', modules)
    const client = realClient()
    const source = counted(client)
    const target = document.createElement('div')
    const instance = mount(Component, { target, props: { client: source } })
    expect(target.textContent).toBe('signedOut:-')
    await client.setTokens({ accessToken: accessToken('ada') })
    flushSync()
    expect(target.textContent).toBe('active:ada')
    await unmount(instance)
    expect(source.subscribers).toBe(0)
  })

  it('server rendering reads the current value and leaves no subscription behind', async () => {
    const { render } = await import('svelte/server')
    const Component = await compileSvelte<Props>(runesComponent, 'server', modules)
    const source = behaviorSource(signedOut)
    const { body } = render(Component, { props: { client: source } })
    expect(body).toContain('<p>signedOut:-</p>')
    expect(source.subscriptions).toBe(1)
    expect(source.subscribers).toBe(0)
  })
})

const sessionsComponent = `<script>
  import { sessionsStore } from 'tessera-session/svelte'
  let { kit } = $props()
  const sessions = sessionsStore(kit)
</script>
<p>{$sessions.map((s) => s.subject + (s.active ? '*' : '')).join(',') || 'none'}</p>`

describe('sessionsStore (a session kit)', () => {
  afterEach(() => destroyKits())

  it('calls run at once with the current list, then on every change, until unsubscribed', () => {
    const source = sessionsSource([summary('ada', true)])
    const seen: string[] = []
    const stop = sessionsStore(source).subscribe((list) => seen.push(describeSessions(list)))
    source.set([summary('ada'), summary('bob', true)])
    stop()
    source.set([])
    expect(seen).toEqual(['ada*', 'ada,bob*'])
    expect(source.subscribers).toBe(0)
  })

  it('$sessions in a compiled component follows a real kit and unsubscribes on unmount', async () => {
    const { mount, unmount, flushSync } = await svelteClient()
    const Component = await compileSvelte<{ kit: SessionsSource }>(sessionsComponent, 'client', modules)
    const kit = realKit()
    const target = document.createElement('div')
    const instance = mount(Component, { target, props: { kit } })
    expect(target.textContent).toBe('none')
    await kit.signIn({ subject: 'ada' })
    await kit.signIn({ subject: 'bob' })
    flushSync()
    expect(target.textContent).toBe('ada,bob*')
    await unmount(instance)
  })
})
