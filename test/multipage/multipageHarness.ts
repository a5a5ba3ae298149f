/** Serves the multi-tab test page and opens it in Chromium tabs that share one origin. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, BrowserContext, Page } from 'playwright'

const entry = fileURLToPath(new URL('./page/entry.ts', import.meta.url))

export interface PageServer {
  url: string
  close(): Promise<void>
}

/** Bundles the page entry and serves it on 127.0.0.1. */
export async function startPageServer(): Promise<PageServer> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  })
  const script = bundle.outputFiles[0]?.text ?? ''
  const html =
    '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="/entry.js"></script>'
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/entry.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    res.writeHead(200, { 'content-type': 'text/html' }).end(html)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Opens a tab of the app and waits until its client exists. */
export async function openTab(
  context: BrowserContext,
  pageUrl: string,
  query: Record<string, string | number>,
): Promise<Page> {
  const page = await context.newPage()
  const url = new URL(pageUrl)
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v))
  await page.goto(url.href)
  await page.waitForFunction(() => document.title === 'ready')
  return page
}

export const statusOf = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { harness: { client: { getStatus(): string } } }).harness.client.getStatus(),
  )

export const tokenOf = (page: Page) =>
  page.evaluate(
    () =>
      (
        window as unknown as { harness: { client: { getSession(): { accessToken: string } | null } } }
      ).harness.client.getSession()?.accessToken ?? null,
  )

/** Waits (bounded) until `check` holds. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15_000, stepMs = 100) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, stepMs))
  }
  throw new Error(`condition not met within ${timeoutMs} ms`)
}

export type { Browser }
