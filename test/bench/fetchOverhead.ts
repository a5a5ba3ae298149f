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
    // Interleaved request by request, so drift on a noisy machine hits both alike.
    const sendBare = () => fetch(`${base}/r`, { headers: { authorization: bareAuth } })
    const sendTessera = () => client.fetch(`${base}/r`)
    for (let round = 0; round < 21; round++) {
      let bareTime = 0
      let tesseraTime = 0
      for (let i = 0; i < requests; i++) {
        const first = i % 2 === 0 ? sendBare : sendTessera
        const second = first === sendBare ? sendTessera : sendBare
        const t0 = performance.now()
        await (await first()).text()
        const t1 = performance.now()
        await (await second()).text()
        const t2 = performance.now()
        if (first === sendBare) {
          bareTime += t1 - t0
          tesseraTime += t2 - t1
        } else {
          tesseraTime += t1 - t0
          bareTime += t2 - t1
        }
      }
      bare.push(bareTime)
      tessera.push(tesseraTime)
    }
  } finally {
    client.destroy()
    server.closeAllConnections()
    server.close()
  }
  const bareMs = median(bare)
  const tesseraMs = median(tessera)
  // Each round's two sums come from requests sent alternately; the median of the rounds' ratios.
  const ratio = median(tessera.map((t, i) => t / (bare[i] as number)))
  return { bareMs, tesseraMs, ratio, requestsPerBatch: requests }
}
