/**
 * The core loads its sign-in, refresh and signing code on first use (a page that only reads its
 * session never downloads it): one module, src/lazyWork.ts, behind src/loadWork.ts. Loading a
 * module is real I/O, which fake timers and the simulated clock cannot drive, so the suites that
 * control time warm it once, up front. Suites on real time (integration, browser, end to end, the
 * Node exit script) load it cold.
 */
import { loadWork } from '../../src/loadWork.js'

await loadWork()
