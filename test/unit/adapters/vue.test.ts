// @vitest-environment happy-dom
// Vue adapter: a readonly shallow ref that follows the source and lets go when its scope ends.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, effectScope, h, nextTick, type Ref, watchEffect } from 'vue'
import type { AuthStateSource } from '../../../src/adapters/AuthStateSource.js'
import type { SessionsSource } from '../../../src/adapters/SessionsSource.js'
import { useAuthState, useSessions } from '../../../src/adapters/vue.js'
import {
  accessToken,
  activeState,
  behaviorSource,
  counted,
  realClient,
  signedOut,
} from './authStateSources.js'
import { describeSessions, destroyKits, realKit, sessionsSource, summary } from './sessionsSources.js'

afterEach(() => {
  vi.restoreAllMocks()
})

/** A component that renders `status:subject` and records every render. */
const Status = defineComponent({
  props: { source: { type: Object, required: true }, renders: { type: Array, required: false } },
  setup(props) {
    // biome-ignore lint/correctness/useHookAtTopLevel: a Vue composable; setup() is where Vue wants it
    const auth = useAuthState(props.source as AuthStateSource)
    return () => {
      const text = `${auth.value.status}:${auth.value.session?.subject ?? '-'}`
      ;(props.renders as string[] | undefined)?.push(text)
      return h('p', text)
    }
  },
})

function mount(source: AuthStateSource, renders?: string[]) {
  const container = document.createElement('div')
  const app = createApp(Status, { source, renders })
  app.mount(container)
  return { container, app }
}

describe('useAuthState in a component', () => {
  it('renders the current state first, re-renders on change, and unsubscribes on unmount', async () => {
    const source = behaviorSource(activeState('ada'))
    const renders: string[] = []
    const { container, app } = mount(source, renders)
    expect(renders).toEqual(['active:ada'])
    expect(container.textContent).toBe('active:ada')
    source.set(signedOut)
    await nextTick()
    expect(container.textContent).toBe('signedOut:-')
    expect(source.subscribers).toBe(1)
    app.unmount()
    expect(source.subscribers).toBe(0)
  })

  it('works with a real client', async () => {
    const client = realClient()
    const source = counted(client)
    const { container, app } = mount(source)
    expect(container.textContent).toBe('signedOut:-')
    await client.setTokens({ accessToken: accessToken('ada') })
    await nextTick()
    expect(container.textContent).toBe('active:ada')
    await client.signOut()
    await nextTick()
    expect(container.textContent).toBe('signedOut:-')
    app.unmount()
    expect(source.subscribers).toBe(0)
  })
})

describe('useAuthState in an effect scope', () => {
  it('drives effects and unsubscribes when the scope stops', async () => {
    const source = behaviorSource(signedOut)
    const scope = effectScope()
    const seen: string[] = []
    scope.run(() => {
      const auth = useAuthState(source)
      watchEffect(() => seen.push(auth.value.status))
    })
    source.set(activeState('ada'))
    await nextTick()
    expect(seen).toEqual(['signedOut', 'active'])
    scope.stop()
    expect(source.subscribers).toBe(0)
    source.set(signedOut)
    await nextTick()
    expect(seen).toEqual(['signedOut', 'active'])
  })

  it('holds the source objects themselves, not reactive proxies of them', () => {
    const state = activeState('ada')
    const source = behaviorSource(state)
    const scope = effectScope()
    const auth = scope.run(() => useAuthState(source))!
    expect(auth.value).toBe(state)
    expect(auth.value.session).toBe(state.session)
    scope.stop()
  })

  it('cannot be written to from outside', () => {
    const source = behaviorSource(signedOut)
    const scope = effectScope()
    const auth = scope.run(() => useAuthState(source))!
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    ;(auth as Ref).value = activeState('mallory')
    expect(auth.value).toBe(signedOut)
    scope.stop()
  })
})

const Sessions = defineComponent({
  props: { kit: { type: Object, required: true } },
  setup(props) {
    // biome-ignore lint/correctness/useHookAtTopLevel: a Vue composable; setup() is where Vue wants it
    const sessions = useSessions(props.kit as SessionsSource)
    return () => h('p', describeSessions(sessions.value))
  },
})

describe('useSessions (a session kit)', () => {
  afterEach(() => destroyKits())

  it('renders the current list first, re-renders on change, and unsubscribes on unmount', async () => {
    const source = sessionsSource([summary('ada', true)])
    const container = document.createElement('div')
    const app = createApp(Sessions, { kit: source })
    app.mount(container)
    expect(container.textContent).toBe('ada*')
    source.set([summary('ada'), summary('bob', true)])
    await nextTick()
    expect(container.textContent).toBe('ada,bob*')
    expect(source.subscribers).toBe(1)
    app.unmount()
    expect(source.subscribers).toBe(0)
  })

  it('follows a real kit, and holds the kit’s own array', async () => {
    const kit = realKit()
    const scope = effectScope()
    const sessions = scope.run(() => useSessions(kit)) as Readonly<Ref<unknown>>
    await kit.signIn({ subject: 'ada' })
    await kit.signIn({ subject: 'bob' })
    expect(sessions.value).toBe(kit.getSessions())
    expect(describeSessions(kit.getSessions())).toBe('ada,bob*')
    scope.stop()
  })
})
