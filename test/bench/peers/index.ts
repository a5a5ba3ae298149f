/** The peers' benchmarks (see test/bench/peerBenches.ts), loaded once this package is installed. */
export { peerHotPaths, torusAccessToken } from './hotPath.peers.js'
export { peerStorms } from './refreshStorm.peers.js'
