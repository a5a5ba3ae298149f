/**
 * `tessera-session/kit`: several sessions at once (WharfKit's SessionKit). Each session is a full
 * session client with its own key, storage namespace and cross-tab coordination; the kit keeps a
 * registry of them that storage keeps and every tab shares. See docs/kit.md.
 */
export { createSessionKit } from './createSessionKit.js'
export type { KitSignIn, RestoreQuery, SessionKit, SessionKitOptions, SessionSummary } from './SessionKit.js'
