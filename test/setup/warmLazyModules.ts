/**
 * The core loads its sign-in, refresh and signing code on first use (a page that only reads its
 * session never downloads it). Loading a module is real I/O, which fake timers and the simulated
 * clock cannot drive, so the suites that control time warm these modules once, up front. Suites
 * on real time (integration, browser, end to end, the Node exit script) load them cold.
 */
await Promise.all([
  import('../../src/client/sessionWork.js'),
  import('../../src/client/buildSessionRecord.js'),
  import('../../src/client/idToken.js'),
  import('../../src/client/requestAuthorization.js'),
  import('../../src/client/serialization.js'),
  import('../../src/http/authenticatedFetch.js'),
  import('../../src/http/dpopProof.js'),
  import('../../src/jws/signCompactJws.js'),
  import('../../src/keys/createSessionKey.js'),
  import('../../src/keys/didKey.js'),
  import('../../src/keys/importSessionKey.js'),
  import('../../src/keys/sessionIdToken.js'),
  import('../../src/sync/crossTabRefreshCoordinator.js'),
  import('../../src/sync/refreshLock.js'),
])
