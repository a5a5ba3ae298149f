/** What `client.fetch` costs on top of a bare `fetch`, on loopback, as a ratio of medians. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSessionClient, memoryStorage } from '../../src/index.js'
import { fakeJwt } from '../kit/jwt.js'
import { median } from './measure.js'

export interface OverheadResult {
  bareMs: number
  tesseraMs: number
  ratio: number
  requestsPerBatch: number
}

export async function fetchOverhead(): Promise<OverheadResult> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'))
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const client = createSessionClient({
    appId: 'overhead',
    methods: [],
    storage: memoryStorage(),
    sync: false,
    apiOrigins: [base],
  })
  await client.setTokens({
    accessToken: fakeJwt({ sub: 'bench', exp: Math.floor(Date.now() / 1000) + 3600 }),
  })
  const requests = 500
  const batch = async (send: () => Promise<Response>) => {
    const start = performance.now()
    for (let i = 0; i < requests; i++) await (await send()).text()
    return performance.now() - start
  }
  const bareAuth = `Bearer ${client.getSession()?.accessToken}`
  const bare: number[] = []
  const tessera: number[] = []
  try {
    await batch(() => fetch(`${base}/warm`)) // warm the pool and the JIT
    await batch(() => client.fetch(`${base}/warm`))
    // Interleaved, so drift on a noisy machine hits both alike.
    for (let round = 0; round < 21; round++) {
      bare.push(await batch(() => fetch(`${base}/r`, { headers: { authorization: bareAuth } })))
      tessera.push(await batch(() => client.fetch(`${base}/r`)))
    }
  } finally {
    client.destroy()
    server.closeAllConnections()
    server.close()
  }
  const bareMs = median(bare)
  const tesseraMs = median(tessera)
  // Each round pairs two adjacent batches; the median of the pairs' ratios resists drift.
  const ratio = median(tessera.map((t, i) => t / (bare[i] as number)))
  return { bareMs, tesseraMs, ratio, requestsPerBatch: requests }
}
