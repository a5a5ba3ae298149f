/**
 * The peers' benchmarks (supabase auth-js, oidc-client-ts, Torus session-manager) live in
 * test/bench/peers, a package of their own that `npm run bench` installs: the repository's
 * `npm ci` does not install them (they print engine warnings on Node 20 and only the bench needs
 * them). They are loaded here by URL, so the repository's typecheck never needs their types;
 * test/bench/peers/tsconfig.json type-checks them once they are installed.
 */
import type { PeerHotPath } from './hotPath.js'

/** One library's refresh storm against the shared server at `base`. */
export type PeerStorm = (base: string) => Promise<{ succeeded: number; p50: number; p99: number }>

/** What test/bench/peers/index.ts exports. */
export interface PeerBenches {
  peerHotPaths(): Promise<PeerHotPath[]>
  /** Torus's token read on a session holding `accessToken`. */
  torusAccessToken(accessToken: string): Promise<() => Promise<unknown>>
  peerStorms: Array<[string, PeerStorm]>
}

/** Where the peers' package lives (its node_modules resolves their imports, for Node and esbuild). */
export const PEERS_DIR = new URL('./peers/', import.meta.url)

/**
 * Loads the peers' benchmarks; run `npm ci --prefix test/bench/peers` first (`npm run bench` does).
 *
 * @example
 * ```ts
 * const rows = await (await loadPeerBenches()).peerHotPaths()
 * ```
 */
export async function loadPeerBenches(): Promise<PeerBenches> {
  return (await import(new URL('./index.ts', PEERS_DIR).href)) as PeerBenches
}
