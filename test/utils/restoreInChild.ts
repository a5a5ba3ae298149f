/**
 * Run as a child process (`node --import tsx`): another process, a fresh module instance. Reads
 * `{ text, siweUrl, apiUrl }` on stdin, restores the serialized session with its included key,
 * calls the API with `getIdToken()` and with a DPoP-bound request, and prints what happened.
 */
import { createSessionClient, memoryKeyStore, memoryStorage } from '../../src/index.js'
import { wallet } from '../../src/wallet/index.js'

let input = ''
for await (const chunk of process.stdin) input += chunk
const { text, siweUrl, apiUrl, dpopText } = JSON.parse(input) as {
  text: string
  siweUrl: string
  apiUrl: string
  dpopText: string
}
const methods = [
  // The restoring process lists the wallet method: it signs the token that carries the CACAO.
  wallet({
    provider: () => undefined,
    nonceUrl: `${siweUrl}/nonce`,
    verifyUrl: `${siweUrl}/verify`,
    domain: 'dapp.example',
  }),
]
const client = createSessionClient({
  appId: 'script',
  methods,
  storage: memoryStorage(),
  keyStore: memoryKeyStore({ extractable: true }),
  sync: false,
})
const session = await client.restore(text)
const token = await client.getIdToken({ ttlSeconds: 3600 })
const posts = await fetch(`${apiUrl}/posts`, { headers: { authorization: `Bearer ${token}` } })

const dpopClient = createSessionClient({
  appId: 'script-dpop',
  methods: [],
  storage: memoryStorage(),
  keyStore: memoryKeyStore({ extractable: true }),
  apiOrigins: [apiUrl],
  sync: false,
})
await dpopClient.restore(dpopText)
const dpop = await dpopClient.fetch(`${apiUrl}/dpop`)

process.stdout.write(
  JSON.stringify({
    did: session.did,
    token,
    posts: { status: posts.status, body: await posts.json() },
    dpop: { status: dpop.status, body: await dpop.json() },
  }),
)
client.destroy()
dpopClient.destroy()
