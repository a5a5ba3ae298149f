/** Hot-path reads: how fast a page asks "who is signed in" and "give me a token". */
import { createSessionClient, memoryStorage } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { opsPerSecond, pairedRatio } from './measure.js'

export interface HotPathResult {
  getSessionOps: number
  getAccessTokenOps: number
}

/** ops/s of `getSession()` and `getAccessToken()` on a client holding a fresh token. */
export async function tesseraHotPath(): Promise<HotPathResult> {
  const client = createSessionClient({ appId: 'bench', methods: [], storage: memoryStorage(), sync: false })
  try {
    await client.setTokens({
      accessToken: fakeJwt({ sub: 'bench', exp: Math.floor(Date.now() / 1000) + 3600 }),
    })
    return {
      getSessionOps: await opsPerSecond(() => client.getSession()),
      getAccessTokenOps: await opsPerSecond(() => client.getAccessToken(), { batch: 100_000 }),
    }
  } finally {
    client.destroy()
  }
}

/**
 * How many times faster tessera's `getAccessToken()` runs than another library's token read on the
 * same fresh token, measured in alternating batches (see {@link pairedRatio}).
 *
 * @example
 * ```ts
 * const ratio = await pairedAccessToken(async () => async () => 'a token')
 * ```
 */
export async function pairedAccessToken(
  other: (accessToken: string) => Promise<() => unknown>,
): Promise<number> {
  const accessToken = fakeJwt({ sub: 'bench', exp: Math.floor(Date.now() / 1000) + 3600 })
  const client = createSessionClient({ appId: 'paired', methods: [], storage: memoryStorage(), sync: false })
  try {
    await client.setTokens({ accessToken })
    return await pairedRatio(() => client.getAccessToken(), await other(accessToken))
  } finally {
    client.destroy()
  }
}

export interface PeerHotPath {
  library: string
  call: string
  ops: number
}
