/** `npm run demo`: starts the demo and keeps it running until Ctrl-C. */
import { startDemo } from './startDemo.js'

const port = Number(process.env.PORT ?? 5173)
const demo = await startDemo({ port }).catch(async (error: unknown) => {
  if ((error as { code?: string }).code !== 'EADDRINUSE') throw error
  console.log(`Port ${port} is busy; using a free one.`)
  return startDemo({ port: 0 })
})

console.log(`
tessera demo
  page:            ${demo.localhostUrl}  (passkeys work here; at ${demo.url} only OIDC: WebAuthn refuses IP addresses)
  OpenID provider: ${demo.op.issuer}  (log in with any name and any password)
  protected API:   ${demo.api.url}  (DPoP-bound JWT access tokens, resource-server nonces)
  passkey server:  ${demo.localhostUrl}passkey/  (register, sign in with one prompt, autofill; in-memory)

Access tokens live 60 s, so you can watch refreshes. Open the page in a few tabs and sign out in one.
Press Ctrl-C to stop.
`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  console.log('\nstopping…')
  await demo.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
