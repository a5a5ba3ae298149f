/** `expired`: the session ran out or was refused; its event is replayed until a new session or sign-out. */
import { sessionSetup } from '../session.setup.js'

export const expiredState = sessionSetup.createStateConfig({
  on: {
    // Only a session that expired on a network failure still holds a refresh credential.
    REFRESH: { guard: 'canRefresh', target: 'refreshing' },
    WAKE: { guard: 'canRefresh', target: 'refreshing' },
  },
})
