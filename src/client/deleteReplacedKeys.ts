/** A session key serves one session: when a new session or an expiry replaces it, it is deleted. */
import type { KeyStore } from '../keys/SessionKey.js'
import { type SessionError, toSessionError } from '../SessionError.js'
import type { SessionActor } from './sessionLogic.js'

/**
 * Watches the actor and deletes the key of a session that was replaced. Sign-out is left out: it
 * deletes its own key after the revocation that may still need it. Returns the unsubscribe.
 *
 * @example
 * ```ts
 * const stop = deleteReplacedKeys(actor, keyStore, (s) => statusOf(s) === 'signedOut', reportError)
 * ```
 */
export function deleteReplacedKeys(
  actor: SessionActor,
  keyStore: KeyStore,
  isSignedOut: (snapshot: ReturnType<SessionActor['getSnapshot']>) => boolean,
  reportError: (error: SessionError) => void,
): () => void {
  let lastKeyId = actor.getSnapshot().context.record?.keyId
  const subscription = actor.subscribe((snapshot) => {
    const keyId = snapshot.context.record?.keyId
    if (keyId === lastKeyId) return
    const orphan = lastKeyId
    lastKeyId = keyId
    if (orphan && !isSignedOut(snapshot)) {
      void keyStore
        .delete(orphan)
        .catch((error: unknown) =>
          reportError(toSessionError(error, 'KEY_UNAVAILABLE', 'Could not delete a replaced session key')),
        )
    }
  })
  return () => subscription.unsubscribe()
}
