/**
 * `tessera-session/testing`: test your app's own session edge cases (a token due, another tab
 * signing out, the network down, a laptop waking up) in a few lines, on a simulated clock.
 * See docs/testing.md.
 */
export { type SimulatedEnvironment, simulatedEnvironment } from '../environment/simulatedEnvironment.js'
export { type MemorySync, type MemorySyncOptions, memorySync, type PendingDelivery } from './memorySync.js'
