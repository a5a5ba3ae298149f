/**
 * `tessera-session/inspect`: the session's statechart, live in Stately's inspector, with secrets
 * redacted. Needs the optional peer dependency `@statelyai/inspect`.
 */

export { inspectionSanitizers } from '../inspectionSanitizers.js'
export { type InspectOptions, inspect, type SessionInspector } from './inspect.js'
