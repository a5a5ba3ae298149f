// Issue 10: in Node a client never holds the process open. A script that signs in with default
// options (BroadcastChannel sync, a refresh timer an hour away) and never calls destroy() exits by
// itself right after its last line.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('./fixtures/scriptThatSignsIn.ts', import.meta.url))

describe('a client in a Node script', () => {
  it('lets the process exit within a second of the end of its work, without destroy()', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    // Bounded: a process that hangs is killed after 15 s and the test fails.
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    const exitedAt = Date.now()
    clearTimeout(killer)
    expect(err).toBe('')
    expect(code).toBe(0)
    const match = /^done script (\d+)$/m.exec(out)
    expect(match, out).not.toBeNull()
    expect(exitedAt - Number(match?.[1])).toBeLessThan(1000)
  }, 20_000)
})
