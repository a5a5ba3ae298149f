/**
 * The demo's accounts panel: a session kit (several sessions at once) against the embedded OpenID
 * provider, its list of sessions, and the device list of the active one (device access).
 */
import type { AccessGrant, SessionError } from '../../../src/index.js'
import { isSessionError } from '../../../src/index.js'
import type { SessionKit, SessionSummary } from '../../../src/kit/index.js'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function button(text: string, onClick: () => void, testId: string): HTMLButtonElement {
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: text })
  b.dataset.testid = testId
  b.addEventListener('click', onClick)
  return b
}

const time = (seconds: number | null | undefined) =>
  seconds ? new Date(seconds * 1000).toLocaleTimeString() : '—'

/**
 * Wires the panel to `kit`; `log` writes to the page's event log.
 *
 * @example
 * ```ts
 * wireKitPanel(kit, (line) => console.log(line))
 * ```
 */
export function wireKitPanel(kit: SessionKit, log: (line: string) => void): void {
  const list = $('kit-sessions')
  const devices = $('devices')
  const note = $('devices-note')

  // Rows are kept and updated in place (refreshes change them every few seconds): a button
  // someone is about to click is never replaced under the pointer.
  const rows = new Map<string, { item: HTMLLIElement; who: HTMLSpanElement }>()
  const empty = Object.assign(document.createElement('li'), { textContent: 'no accounts' })
  const renderSessions = (sessions: SessionSummary[]) => {
    for (const [id, row] of rows) {
      if (sessions.some((s) => s.id === id)) continue
      row.item.remove()
      rows.delete(id)
    }
    for (const s of sessions) {
      let row = rows.get(s.id)
      if (!row) {
        const item = document.createElement('li')
        const who = Object.assign(document.createElement('span'), { className: 'who' })
        item.dataset.id = s.id
        item.dataset.subject = s.subject
        item.append(
          who,
          button('Use', () => kit.use(s.id), `use-${s.subject}`),
          button(
            'Sign out',
            () => void kit.signOut(s.id).then(() => log(`signed out ${s.subject}`)),
            `sign-out-${s.subject}`,
          ),
        )
        row = { item, who }
        rows.set(s.id, row)
      }
      row.item.dataset.status = s.status
      row.item.dataset.active = String(s.active)
      row.who.textContent = `${s.active ? '● ' : ''}${s.subject} · ${s.status} · until ${time(s.expiresAt)}`
      list.append(row.item) // keeps the kit's order
    }
    if (sessions.length === 0) list.append(empty)
    else empty.remove()
  }
  kit.sessions$.subscribe(renderSessions)
  kit.errors$.subscribe((e: SessionError) => log(`kit error ${e.code}: ${e.message}`))

  const renderDevices = (grants: AccessGrant[]) => {
    devices.replaceChildren(
      ...grants.map((g) => {
        const item = document.createElement('li')
        item.dataset.credential = g.credentialId
        item.dataset.caller = String(g.isCaller)
        const what = Object.assign(document.createElement('span'), {
          className: 'who',
          textContent: `${g.isCaller ? 'this browser' : (g.label ?? 'a device').slice(0, 40)} · since ${time(g.createdAt)} · last used ${time(g.lastUsedAt)}`,
        })
        item.append(
          what,
          button(
            g.isCaller ? 'Sign out this browser' : 'Revoke',
            () => void revoke(g),
            g.isCaller ? 'revoke-self' : 'revoke-other',
          ),
        )
        return item
      }),
    )
  }
  const listDevices = async () => {
    const client = kit.getActive()
    if (!client) {
      renderDevices([])
      note.textContent = 'No active account'
      return
    }
    try {
      const grants = await client.listAccess({ pageSize: 10 })
      renderDevices(grants)
      note.textContent = `${grants.length} device${grants.length === 1 ? '' : 's'} of ${client.getSession()?.subject ?? '?'}`
    } catch (e) {
      note.textContent = isSessionError(e) ? e.code : String(e)
    }
  }
  const revoke = async (grant: AccessGrant) => {
    const client = kit.getActive()
    if (!client) return
    try {
      await client.revokeAccess({ targetCredentialId: grant.credentialId })
      log(`revoked ${grant.isCaller ? 'this browser' : 'a device'}`)
    } catch (e) {
      log(`revoke failed: ${isSessionError(e) ? e.code : String(e)}`)
    }
    await listDevices()
  }
  kit.active$.subscribe(() => void listDevices())
  $('devices-refresh').addEventListener('click', () => void listDevices())

  $('kit-add').addEventListener('click', () => {
    log('add account: redirecting to the provider')
    // prompt=login: the provider asks who, even while another account is signed in there.
    kit
      .signIn({ extraParams: { prompt: 'login' } })
      .catch((e: unknown) => log(`add account failed: ${String(e)}`))
  })
  $('kit-sign-out-all').addEventListener(
    'click',
    () => void kit.signOut().then(() => log('signed out of every account')),
  )
}
